import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createApp } from "../src/api/app.ts";
import { IngestResultSchema } from "../src/api/routes/ingest.ts";
import { isoTime } from "../src/core/time.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer, utxoTables } from "./helpers/btc.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

/**
 * `ingest --since/--until` on Bitcoin (issue 17 point 3): only the transactions whose block time lies
 * in the window are stored, paging stops once past its start, the address is not taken as ingested
 * (its coverage says partial: never a false clean) until a full ingest completes it without
 * duplicating a row. CLI and API, against the local Esplora server.
 */

const dir = tempDir();
const DAY = 86_400;
// one payment to the vendor a day for 60 days (block times one day apart), then one spend
const chain = new DevChain({ seed: "ingest-window", blockInterval: DAY });
const vendor = chain.wallet("vendor", "p2wpkh");
const A = vendor.address();
const payer = chain.wallet("payer", "p2tr");
for (let i = 0; i < 60; i++) {
  const u = chain.fund(payer.newAddress(), 2_000_000n + BigInt(i));
  chain.send({
    from: [u],
    to: [{ address: A, value: 100_000n + BigInt(i) }],
    fee: 1_000n,
    changeAddress: payer.address(),
  });
  chain.mine();
}
chain.send({
  from: vendor,
  to: [{ address: chain.wallet("x").address(), value: 50_000n }],
  fee: 700n,
  changeAddress: A,
});
chain.mine();

/** A's confirmed history: txid and block time, newest first. */
const history = chain
  .esploraTxs()
  .filter(
    (t) =>
      t.status.confirmed &&
      (t.vout.some((o) => o.scriptpubkey_address === A) ||
        t.vin.some((v) => v.prevout?.scriptpubkey_address === A)),
  )
  .map((t) => ({ txid: t.txid, time: t.status.block_time! }))
  .sort((x, y) => y.time - x.time);
const times = [...new Set(history.map((h) => h.time))].sort((x, y) => x - y);
// the window: ten days, ending a week before the newest block (both ends at block times)
const since = times[times.length - 18]!;
const until = times[times.length - 8]!;
const inWindow = history.filter((h) => h.time >= since && h.time <= until).map((h) => h.txid);
const windowed = ["ingest", "bitcoin", A, "--since", isoTime(since)!, "--until", isoTime(until)!];

let server: EsploraServer;
beforeAll(async () => {
  server = await startServer(chain);
});
afterAll(async () => {
  await server?.close();
});

const open = async (name: string) => {
  const s = await btcServices(dir, name, server.url);
  onTestFinished(() => s.close());
  return s;
};
const storedTxids = async (s: Services) =>
  (await s.store.sql("SELECT txid FROM utxo_txs ORDER BY txid")).map((r) => r.txid as string);
const cli = (db: string, ...args: string[]) =>
  runCli(["--db", join(dir, `${db}.duckdb`), "--esplora-url", server.url, "--no-default-labels", ...args]);

describe("ingest --since/--until (Bitcoin, Esplora)", () => {
  it("the window's history is sound: 61 transactions over 61 days, 11 in the window", () => {
    expect(history).toHaveLength(61);
    expect(inWindow).toHaveLength(11);
  });

  it("CLI: stores only the window's transactions, stops paging past its start, and says the history is partial", async () => {
    server.resetStats();
    const r = await cli("cli", "--json", ...windowed);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.window).toEqual({ since: isoTime(since), until: isoTime(until) });
    expect(out.addresses[0]).toMatchObject({
      address: A,
      written: 11,
      mempool: 0,
      complete: false,
      partial: expect.stringContaining("not marked as ingested"),
    });
    // 25 a page, newest first: the window's start lies on the first page, so one page is read
    expect(server.stats.byRoute).toEqual({ "/address/:address/txs": 1, "/tx/:txid/outspends": 11 });

    const s = await open("cli");
    expect(await storedTxids(s)).toEqual([...inWindow].sort());
    // no cursor: the address is not taken as ingested; its coverage names the window
    expect(await s.store.sql("SELECT * FROM sync_cursors")).toEqual([]);
    const info = await s.addresses.info("bitcoin", A);
    expect(info.stats).toMatchObject({ txCount: 11, exact: false });
    expect(info.stats.partial).toContain(
      `ingested only for a time window (${isoTime(since)} to ${isoTime(until)})`,
    );
    // never a false clean: offline exposure is unknown, with the window as the reason
    const x = await s.traces.exposure("bitcoin", A, { fetch: false });
    expect(x.risk.band).toBe("unknown");
    expect(x.coverage.unknown[0]!.reason).toContain("history stored only for a time window");

    const text = await cli("cli", ...windowed);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`only transactions from ${isoTime(since)} to ${isoTime(until)}`);
    expect(text.stdout).toContain("partial (time window)");
    expect(text.stdout).toContain(`note: ${A}: only transactions from`);
    expect(text.stdout).toContain(`run: fundtrace ingest bitcoin ${A}`);
  });

  it("a later full ingest completes the history without duplicating a row", async () => {
    const s = await open("complete");
    const w = await s.ingest.ingest("bitcoin", [A], undefined, {
      since: isoTime(since)!,
      until: isoTime(until)!,
    });
    expect(w.addresses[0]).toMatchObject({ written: 11, complete: false });
    const full = await s.ingest.ingest("bitcoin", [A]);
    // the window's 11 were stored already: only the other 50 are new
    expect(full.addresses[0]).toMatchObject({ written: 50, complete: true });
    expect(full.addresses[0]!.partial).toBeUndefined();
    expect(await storedTxids(s)).toEqual(history.map((h) => h.txid).sort());
    const ref = await open("reference");
    await ref.ingest.ingest("bitcoin", [A]);
    expect(await utxoTables(s)).toEqual(await utxoTables(ref));
    const info = await s.addresses.info("bitcoin", A);
    expect(info.stats).toMatchObject({ txCount: 61, exact: true });
    // a window over a complete history changes nothing and keeps it complete
    const again = await s.ingest.ingest("bitcoin", [A], undefined, { since: isoTime(since)! });
    expect(again.addresses[0]).toMatchObject({ written: 0, complete: true, upToDate: true });
  });

  it("an open-ended window (--since only) takes the newest transactions; --until only, the oldest", async () => {
    const s = await open("open-ends");
    await s.ingest.ingest("bitcoin", [A], undefined, { since: isoTime(until)! });
    const newest = history.filter((h) => h.time >= until).map((h) => h.txid);
    expect(newest).toHaveLength(8);
    expect(await storedTxids(s)).toEqual([...newest].sort());
    await s.ingest.ingest("bitcoin", [A], undefined, { until: isoTime(times[4]!)! });
    const oldest = history.filter((h) => h.time <= times[4]!).map((h) => h.txid);
    expect(await storedTxids(s)).toEqual([...newest, ...oldest].sort());
    // both windows are the address's coverage; it is still not ingested
    expect((await s.addresses.info("bitcoin", A)).stats.partial).toContain(
      `${isoTime(times[4]!)}; ${isoTime(until)} to the newest block`,
    );
  });

  it("CLI: --since after --until, or a date it cannot read, exits 2 naming the option and changes nothing", async () => {
    server.resetStats();
    const after = await cli("bad", "ingest", "bitcoin", A, "--since", "2023-09-10", "--until", "2023-09-01");
    expect(after.code).toBe(2);
    expect(after.stderr).toContain("--since (2023-09-10T00:00:00Z) is after --until (2023-09-01T23:59:59Z)");
    const unreadable = await cli("bad", "ingest", "bitcoin", A, "--until", "last tuesday");
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('--until: "last tuesday" is not a UTC date');
    expect(server.stats.total).toBe(0);
    expect(existsSync(join(dir, "bad.duckdb"))).toBe(false);
  });

  it("API: POST /v1/ingest with since/until runs a job storing only the window; bad windows are 400 naming the field", async () => {
    const s = await open("api");
    const app = createApp(s);
    const post = (body: unknown) =>
      app.request("/v1/ingest", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const r = await post({ chain: "bitcoin", addresses: [A], since: isoTime(since), until: isoTime(until) });
    expect(r.status).toBe(202);
    const { jobId } = (await r.json()) as { jobId: string };
    await s.jobs.wait(jobId);
    const job = (await (await app.request(`/v1/jobs/${jobId}`)).json()) as any;
    expect(job.status).toBe("done");
    expect(IngestResultSchema.parse(job.result)).toEqual(job.result);
    expect(job.result).toMatchObject({
      window: { since: isoTime(since), until: isoTime(until) },
      addresses: [{ address: A, written: 11, complete: false }],
    });
    expect(await storedTxids(s)).toEqual([...inWindow].sort());

    const jobsBefore = await s.store.sql("SELECT count(*)::INTEGER AS n FROM jobs");
    server.resetStats();
    const bad = await post({ chain: "bitcoin", addresses: [A], since: "2023-09-10", until: "2023-09-01" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatchObject({
      code: "BAD_INPUT",
      message: "since (2023-09-10T00:00:00Z) is after until (2023-09-01T23:59:59Z)",
    });
    const unreadable = await post({ chain: "bitcoin", addresses: [A], since: "yesterday" });
    expect(unreadable.status).toBe(400);
    expect(((await unreadable.json()) as any).error.message).toContain(
      'since: "yesterday" is not a UTC date',
    );
    expect(server.stats.total).toBe(0);
    expect(await s.store.sql("SELECT count(*)::INTEGER AS n FROM jobs")).toEqual(jobsBefore);
  });
});
