import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { createApp } from "../src/api/app.ts";
import type { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer, utxoTables, vendorScenario } from "./helpers/btc.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let chain: DevChain;
let A: string;
let server: EsploraServer;
let clean: Services;

beforeAll(async () => {
  ({ chain, A } = vendorScenario("ingest"));
  server = await startServer(chain);
  clean = await btcServices(dir, "clean", server.url);
});
afterAll(async () => {
  clean.close();
  await server.close();
});
// every test starts with clean holding the chain as it is (tests add blocks and reorgs)
beforeEach(async () => {
  await clean.ingest.ingest("bitcoin", [A]);
});

const historyOf = (addr: string) =>
  chain
    .esploraTxs()
    .filter(
      (t) =>
        t.vin.some((v) => v.prevout?.scriptpubkey_address === addr) ||
        t.vout.some((o) => o.scriptpubkey_address === addr),
    );

describe("Bitcoin ingest from Esplora", () => {
  it("fetches each page and each transaction's spends exactly once", async () => {
    const txs = historyOf(A);
    expect(txs.length).toBeGreaterThan(60);
    const first = await btcServices(dir, "first", server.url);
    onTestFinished(() => first.close());
    server.resetStats();
    const r = await first.ingest.ingest("bitcoin", [A]);
    const pages = Math.ceil(txs.length / 25);
    expect(server.stats.byRoute).toEqual({
      "/address/:address/txs": 1,
      "/address/:address/txs/chain/:last_seen_txid": pages - 1 + (txs.length % 25 === 0 ? 1 : 0),
      "/tx/:txid/outspends": txs.length,
    });
    expect(r.requests).toBe(server.stats.total);
    expect(r.addresses[0]).toMatchObject({
      address: A,
      written: txs.length,
      pages: server.stats.total - txs.length,
    });
    const count = await first.store.sql("SELECT count(*)::INTEGER AS n FROM utxo_txs");
    expect(count[0]?.n).toBe(txs.length);
  });

  it("a rerun with nothing new makes one request and changes nothing", async () => {
    const before = await utxoTables(clean);
    server.resetStats();
    const r = await clean.ingest.ingest("bitcoin", [A]);
    expect(server.stats.total).toBe(1);
    expect(r.addresses[0]?.upToDate).toBe(true);
    expect(await utxoTables(clean)).toEqual(before);
  });

  it("matches the chain: stats per address are exact", async () => {
    const res = await createApp(clean).request(`/v1/addresses/bitcoin/${A}`);
    const body = (await res.json()) as any;
    let received = 0n;
    let sent = 0n;
    for (const t of historyOf(A)) {
      for (const o of t.vout) if (o.scriptpubkey_address === A) received += BigInt(o.value);
      for (const v of t.vin) if (v.prevout?.scriptpubkey_address === A) sent += BigInt(v.prevout.value);
    }
    const bal = chain
      .wallet("vendor")
      .utxos()
      .filter((u) => u.address === A)
      .reduce((a, u) => a + u.value, 0n);
    expect(body.stats).toMatchObject({
      txCount: historyOf(A).length,
      received: received.toString(),
      sent: sent.toString(),
      balance: bal.toString(),
      exact: true,
    });
    expect(body.stats.firstSeen < body.stats.lastSeen).toBe(true);
  });

  it("stores unconfirmed transactions as such and replaces them when confirmed", async () => {
    const vendor = chain.wallet("vendor");
    const pay = chain.send({
      from: vendor,
      to: [{ address: chain.wallet("late").address(), value: 4242n }],
      fee: 333n,
      changeAddress: A,
    });
    await clean.ingest.ingest("bitcoin", [A]);
    let row = await clean.store.sql("SELECT confirmed, block_height FROM utxo_txs WHERE txid = $t", {
      t: pay.txid,
    });
    expect(row).toEqual([{ confirmed: false, block_height: null }]);
    const block = chain.mine();
    server.resetStats();
    await clean.ingest.ingest("bitcoin", [A]);
    row = await clean.store.sql("SELECT confirmed, block_height FROM utxo_txs WHERE txid = $t", {
      t: pay.txid,
    });
    expect(row).toEqual([{ confirmed: true, block_height: block.height }]);
    expect(server.stats.total).toBe(2); // first page + the newly confirmed tx's spends
  });

  it("corrects transactions after a reorg", { tags: ["slow"] }, async () => {
    const vendor = chain.wallet("vendor");
    const a = chain.send({
      from: vendor,
      to: [{ address: chain.wallet("r1").address(), value: 7777n }],
      fee: 400n,
      changeAddress: A,
    });
    const oldBlock = chain.mine();
    await clean.ingest.ingest("bitcoin", [A]);
    // the block is replaced; the tx is dropped from the new chain entirely
    chain.reorg(1, { drop: [a.txid] });
    const newBlock = chain.mine();
    expect(newBlock.height).toBe(oldBlock.height);
    expect(newBlock.hash).not.toBe(oldBlock.hash);
    const r = await clean.ingest.ingest("bitcoin", [A]);
    expect(r.addresses[0]?.corrected).toBe(1);
    expect(await clean.store.sql("SELECT txid FROM utxo_txs WHERE txid = $t", { t: a.txid })).toEqual([]);
    // a fresh ingest of the same chain gives the same tables
    const fresh = await btcServices(dir, "after-reorg", server.url);
    try {
      await fresh.ingest.ingest("bitcoin", [A]);
      expect(await utxoTables(fresh)).toEqual(await utxoTables(clean));
    } finally {
      fresh.close();
    }
  });

  it("with 20% of requests failing, ends with tables identical to a fault-free run", {
    tags: ["slow"],
  }, async () => {
    const faulty = await btcServices(dir, "faulty", server.url);
    try {
      server.resetStats();
      server.setFaults({
        rate: 0.2,
        kinds: ["429", "503", "timeout", "reset", "truncated"],
        seed: 7,
        holdMs: 2500,
      });
      await faulty.ingest.ingest("bitcoin", [A]);
      server.setFaults(null);
      expect(server.stats.faulted).toBeGreaterThan(5);
      expect(Object.keys(server.stats.faultsByKind).sort()).toEqual([
        "429",
        "503",
        "reset",
        "timeout",
        "truncated",
      ]);
      expect(await utxoTables(faulty)).toEqual(await utxoTables(clean));
    } finally {
      server.setFaults(null);
      faulty.close();
    }
  });

  it("rejects bad input before any request and changes nothing", async () => {
    server.resetStats();
    await expect(
      clean.ingest.ingest("bitcoin", [A, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr"]),
    ).rejects.toThrow(/bech32/);
    await expect(clean.ingest.ingest("litecoin", ["LTC1"])).rejects.toThrow();
    expect(server.stats.total).toBe(0);
  });

  it("runs as an API job with progress", async () => {
    const app = createApp(clean);
    const r = await app.request("/v1/ingest", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chain: "bitcoin", addresses: [A] }),
    });
    expect(r.status).toBe(202);
    const { jobId } = (await r.json()) as { jobId: string };
    const job = await clean.jobs.wait(jobId);
    expect(job).toMatchObject({ status: "done", progress: { done: 1, total: 1 } });
    const viaApi = (await (await app.request(`/v1/jobs/${jobId}`)).json()) as any;
    expect(viaApi.result.addresses[0].address).toBe(A);
    expect((await app.request("/v1/jobs/nope")).status).toBe(404);
    const bad = await app.request("/v1/ingest", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chain: "bitcoin", addresses: ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"] }),
    });
    expect(bad.status).toBe(400);
  });
});
