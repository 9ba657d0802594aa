import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTronGridSource } from "../adapters/tron/index.ts";
import { loadConfig } from "../src/config.ts";
import { buildBusyAccount } from "../src/devchain/tron-scenario.ts";
import { startTronServer } from "../src/devchain/tron-server.ts";
import { createServices } from "../src/services/index.ts";
import { benchArgs } from "./args.ts";
import { rssMiB, timeit } from "./stats.ts";

/**
 * Ingest of one Tron account with 10,000 transfers (USDT in and out, TRX both ways, five transactions
 * a block) from the local TronGrid-compatible server without rate limits or faults: upstream requests
 * per address (pages, transaction infos, block infos) and rows per second, for the adapter alone and
 * for the whole ingest into DuckDB (with every answer logged for evidence); then a rerun.
 */
const tipRequests = (byRoute: Record<string, number>) =>
  Object.entries(byRoute)
    .filter(([route]) => route.endsWith("/getnowblock"))
    .reduce((n, [, k]) => n + k, 0);

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const wanted = benchArgs(args, []).size(10_000, { positive: true });
  // about one TRX transfer per five token transfers rides along: size the token part to hit the total
  const built = await timeit(async () =>
    buildBusyAccount({ tokenTransfers: Math.round(wanted / 1.2), seed: "bench" }),
  );
  const busy = built.value;
  const rows = busy.chain.expected(busy.hub);
  const transfers = rows.filter((r) => r.kind !== "fee").length;
  console.error(
    `chain: ${busy.chain.head.number} blocks, ${transfers} transfers of the account (+ fees) in ${(built.ms / 1000).toFixed(1)} s`,
  );
  const srv = await startTronServer(busy.chain);
  const env = { FUNDTRACE_RPS: "100000", FUNDTRACE_EVM_CONFIRMATIONS: "0" };
  try {
    const src = createTronGridSource({ baseUrl: srv.url, rps: 100_000, concurrency: 8 });
    const adapter = await timeit(async () => {
      const tip = await src.tip();
      return src.transfers(busy.hub, { fromBlock: 0, toBlock: tip.height });
    });
    const adapterRequests = src.counter.requests;
    await src.close();
    if (adapter.value.length !== rows.length)
      throw new Error(`adapter gave ${adapter.value.length} rows, want ${rows.length}`);
    console.error(
      `adapter: ${adapter.value.length} rows, ${adapterRequests} requests in ${(adapter.ms / 1000).toFixed(1)} s`,
    );

    const db = join(tmpdir(), `fundtrace-bench-tron-${process.pid}.duckdb`);
    const s = await createServices(loadConfig({ db, defaultLabels: false, tronUrl: srv.url }, env));
    try {
      srv.resetStats();
      const ingest = await timeit(() => s.ingest.ingest("tron", [busy.hub]));
      const byRoute = { ...srv.stats.byRoute };
      const written = ingest.value.addresses[0]?.transfers ?? 0;
      console.error(
        `ingest: ${written} rows, ${ingest.value.requests} requests in ${(ingest.ms / 1000).toFixed(1)} s`,
      );
      busy.chain.mineEmpty(3);
      srv.resetStats();
      const rerun = await timeit(() => s.ingest.ingest("tron", [busy.hub]));
      return {
        account: {
          blocks: busy.chain.head.number,
          transfers,
          tokenTransfers: rows.filter((r) => r.kind === "token").length,
          rows: rows.length,
        },
        adapter: {
          seconds: +(adapter.ms / 1000).toFixed(2),
          requests: adapterRequests,
          rowsPerSecond: Math.round(rows.length / (adapter.ms / 1000)),
        },
        ingest: {
          seconds: +(ingest.ms / 1000).toFixed(2),
          requestsPerAddress: ingest.value.requests,
          requestsByEndpoint: byRoute,
          rowsWritten: written,
          rowsPerSecond: Math.round(written / (ingest.ms / 1000)),
        },
        // the tip is asked once per run, whatever the number of addresses; the rest is per address
        rerunNothingNew: {
          seconds: +(rerun.ms / 1000).toFixed(2),
          requests: rerun.value.requests,
          tipRequestsPerRun: tipRequests(srv.stats.byRoute),
          requestsPerAddress: rerun.value.requests - tipRequests(srv.stats.byRoute),
          requestsByEndpoint: { ...srv.stats.byRoute },
        },
        rssMiB: rssMiB(),
      };
    } finally {
      s.close();
    }
  } finally {
    await srv.close();
  }
}
