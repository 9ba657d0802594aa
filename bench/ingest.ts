import { rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { UtxoBatchWriter } from "../src/services/ingest.ts";
import { benchArgs } from "./args.ts";
import { accountPages, utxoPages, utxoTemplate } from "./ingest-gen.ts";
import { median, peakRssMiB } from "./stats.ts";

/**
 * Ingest writes from recorded pages, no network: an exchange wallet of N account transfers (default 1M)
 * written chunk by chunk, and the history of a Bitcoin address of N transactions written page by page
 * (25 txs, as Esplora gives them), both through the functions IngestService uses per page
 * (writeAccountChunk; UtxoBatchWriter + writeUtxoBatch), each run into a fresh file. Only the writes
 * are timed, not making the pages. Flags: `--runs K` (default 3), `--btc N` (Bitcoin txs, default N),
 * `--chunk R` (transfers per account chunk, default 20000).
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["runs", "btc", "chunk"]);
  const n = a.size(1_000_000, { positive: true });
  const btc = a.num("btc", n);
  const runs = a.num("runs", 3, { positive: true });
  const chunk = a.num("chunk", 20_000, { positive: true });
  const load = [loadavg()[0]!];
  const tpl = utxoTemplate();
  console.error(`Bitcoin template: ${tpl.txs.length} txs of ${tpl.address}, repeated to ${btc}`);

  const account: number[] = [];
  const utxo: number[] = [];
  let btcRows = { inputs: 0, outputs: 0 };
  for (let r = 0; r < runs; r++) {
    account.push(await fresh(`acc-${r}`, (s) => writeAccounts(s, n, chunk)));
    load.push(loadavg()[0]!);
    console.error(
      `accounts run ${r + 1}: ${(n / account[r]!).toFixed(0)} transfers/s (${account[r]!.toFixed(1)} s)`,
    );
    utxo.push(
      await fresh(`btc-${r}`, async (s) => {
        const t = await writeUtxo(s, tpl, btc);
        btcRows = await rowCounts(s);
        return t;
      }),
    );
    load.push(loadavg()[0]!);
    console.error(`bitcoin run ${r + 1}: ${(btc / utxo[r]!).toFixed(0)} txs/s (${utxo[r]!.toFixed(1)} s)`);
  }
  const accS = median(account);
  const btcS = median(utxo);
  return {
    accountTransfersPerS: Math.round(n / accS),
    btcTxsPerS: Math.round(btc / btcS),
    accountTransfers: n,
    accountChunk: chunk,
    accountRunsSeconds: account.map((x) => +x.toFixed(2)),
    btcTxs: btc,
    btcInputs: btcRows.inputs,
    btcOutputs: btcRows.outputs,
    btcPageSize: 25,
    btcRunsSeconds: utxo.map((x) => +x.toFixed(2)),
    goals: { accountTransfersPerS: 100_000, btcTxsPerS: 20_000 },
    goalMet: n / accS >= 100_000 && btc / btcS >= 20_000,
    before: {
      accountTransfersPerS: "169-246",
      btcTxsPerS: "21-27",
      how: "one prepared INSERT ... ON CONFLICT per row (issue 21)",
    },
    loadAverage1m: load.map((x) => +x.toFixed(2)),
    peakRssMiB: peakRssMiB(),
  };
}

/** Runs fn on services over a new temp file; its result in seconds. */
async function fresh(name: string, fn: (s: Services) => Promise<number>): Promise<number> {
  const db = join(tmpdir(), `fundtrace-bench-ingest-${process.pid}-${name}.duckdb`);
  const s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
  try {
    return await fn(s);
  } finally {
    s.close();
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}

async function writeAccounts(s: Services, n: number, chunk: number): Promise<number> {
  let ms = 0;
  for (const page of accountPages(n, chunk)) {
    const t = performance.now();
    await s.ingest.writeAccountChunk(
      "bench",
      "ethereum",
      "0x28c6c06298d514db089934071355e5743bf21d60",
      page.rows,
      {
        block: page.toBlock,
        tipHeight: page.toBlock + 12,
      },
    );
    ms += performance.now() - t;
  }
  return ms / 1000;
}

async function writeUtxo(s: Services, tpl: ReturnType<typeof utxoTemplate>, n: number): Promise<number> {
  let ms = 0;
  const batch = new UtxoBatchWriter((txs, outs) => s.ingest.writeUtxoBatch(txs, outs));
  for (const page of utxoPages(tpl, n)) {
    const t = performance.now();
    await batch.add(page.txs, page.outspends);
    ms += performance.now() - t;
  }
  const t = performance.now();
  await batch.flush();
  return (ms + performance.now() - t) / 1000;
}

async function rowCounts(s: Services): Promise<{ inputs: number; outputs: number }> {
  const r = await s.store.sql(
    "SELECT (SELECT count(*) FROM utxo_inputs)::INTEGER AS inputs, (SELECT count(*) FROM utxo_outputs)::INTEGER AS outputs",
  );
  return { inputs: r[0]!.inputs as number, outputs: r[0]!.outputs as number };
}
