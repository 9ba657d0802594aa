import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createEsploraSource, parseEsploraTx } from "../adapters/esplora/index.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { UtxoTx } from "../src/domain.ts";
import { utxoSourceContract } from "./contract/source-contract.ts";
import { startServer, vendorScenario } from "./helpers/btc.ts";
import { fixture } from "./helpers/fixtures.ts";

const sample = (f: string) => JSON.parse(readFileSync(fixture(`api-samples/esplora/${f}`), "utf8"));

let server: EsploraServer | undefined;
afterAll(async () => server?.close());

utxoSourceContract("esplora (local Esplora server, signed mainnet transactions)", async () => {
  const { chain, A, vendor } = vendorScenario("contract");
  // one unconfirmed payment to A
  const pending = chain.send({
    from: vendor,
    to: [{ address: chain.wallet("x").address(), value: 1234n }],
    fee: 300n,
    changeAddress: A,
  });
  server = await startServer(chain);
  const make = (url: string) => () => createEsploraSource({ baseUrl: url, rps: 1000 });
  const source = make(server.url)();
  const history = chain
    .esploraTxs()
    .filter(
      (t) =>
        t.status.confirmed &&
        (t.vin.some((v) => v.prevout?.scriptpubkey_address === A) ||
          t.vout.some((o) => o.scriptpubkey_address === A)),
    )
    .sort((a, b) => b.status.block_height! - a.status.block_height! || 0);
  // Esplora's order within a block is by reverse position: take it from the chain itself
  const order = chain
    .chainBlocks()
    .flatMap((b) => [...b.txids].reverse().map((txid) => ({ txid, h: b.height })));
  const rank = new Map(order.map((o, i) => [o.txid, i]));
  const historyTxids = history
    .map((t) => t.txid)
    .sort((x, y) => {
      const hx = chain.txStatus(x).block_height!;
      const hy = chain.txStatus(y).block_height!;
      return hy - hx || rank.get(x)! - rank.get(y)!;
    });
  const spent = history[history.length - 1]!; // the oldest: its output to A was spent later
  const known = parseEsploraTx(chain.esploraTx(spent.txid), "bitcoin");
  const outspends = chain
    .outspends(spent.txid)!
    .map((o) => (o.spent ? { txid: o.txid!, vin: o.vin! } : null));
  const srv = server;
  return {
    source,
    fresh: make(srv.url),
    failNext: () => srv.setFaults({ schedule: ["503"] }),
    facts: {
      tip: { height: chain.tipHeight, hash: chain.tipHash },
      historyAddress: A,
      historyTxids,
      historyTimes: historyTxids.map((t) => chain.txStatus(t).block_time!),
      mempoolTxids: [pending.txid],
      knownTx: known,
      knownTxOutspends: outspends,
      unknownTxid: "00".repeat(32),
    },
  };
});

describe("Esplora mapping on real responses", () => {
  it("maps a real confirmed multi-input tx (block 850000, 10 in / 9 out) exactly", () => {
    const raw = sample("mempool_fixture_transactions-random.json")[3];
    const t: UtxoTx = parseEsploraTx(raw);
    expect(t.txid).toBe(raw.txid);
    expect(t.block).toEqual({ height: 850000, hash: raw.status.block_hash, time: raw.status.block_time });
    expect(t.inputs).toHaveLength(10);
    expect(t.outputs).toHaveLength(9);
    expect(t.inputs.map((i) => i.value)).toEqual(raw.vin.map((v: any) => BigInt(v.prevout.value)));
    expect(t.inputs.reduce((a, i) => a + i.value, 0n) - t.outputs.reduce((a, o) => a + o.value, 0n)).toBe(
      BigInt(raw.fee),
    );
    expect(t.inputs[0]).toMatchObject({
      vin: 0,
      prevTxid: raw.vin[0].txid,
      prevVout: raw.vin[0].vout,
      isCoinbase: false,
    });
  });

  it("maps P2WPKH, P2PKH and P2TR samples and ignores mempool.space extras", () => {
    const wpkh = parseEsploraTx(sample("mempool_fixture_api_tx_cached_21518a98.json"));
    expect(wpkh.inputs[0]?.scriptType).toBe("v0_p2wpkh");
    expect(wpkh.inputs[0]?.address).toMatch(/^bc1q/);
    const pkh = parseEsploraTx(sample("mempool_fixture_api_tx_b6a53d8a.json"));
    expect(pkh.block).toBeNull();
    expect(pkh.outputs.every((o) => o.scriptType === "p2pkh")).toBe(true);
    const tr = parseEsploraTx(sample("mempool_fixture_non-standard-txs.json")[0]);
    expect(tr.block?.height).toBe(896088);
    expect([...tr.inputs, ...tr.outputs].some((x) => x.scriptType === "v1_p2tr")).toBe(true);
    expect(tr).not.toHaveProperty("sigops");
  });

  it("keeps an OP_RETURN output without an address and a non-32-byte v1 program's address", () => {
    const t = parseEsploraTx(sample("mempool_fixture_transactions-random.json")[2]);
    expect(t.outputs[0]).toMatchObject({ address: null, value: 0n, scriptType: "op_return" });
    expect(t.outputs[1]?.address).toBe("bc1p6uwxc048hflxaerh5zlastpqc7ye0zpvq7gq2a");
  });

  it("refuses amounts that are not exact integers", () => {
    const raw = structuredClone(sample("mempool_fixture_transactions-random.json")[2]);
    raw.vout[1].value = 5.5;
    expect(() => parseEsploraTx(raw)).toThrow(/exact non-negative integer/);
  });
});

describe("immutable responses are kept", () => {
  it("never asks twice for a confirmed transaction or fully spent outputs", async () => {
    const { DevChain } = await import("../src/devchain/bitcoin.ts");
    const { startEsploraServer } = await import("../src/devchain/esplora-server.ts");
    const { DbResponseStore } = await import("../src/store/utxo.ts");
    const { testServices } = await import("./helpers/services.ts");
    const chain = new DevChain({ seed: "immutable" });
    const w = chain.wallet("w");
    const u = chain.fund(w.address(), 50_000n);
    const spend = chain.send({
      from: [u],
      to: [{ address: chain.wallet("v").address(), value: 49_000n }],
      fee: 1_000n,
    });
    chain.mine();
    const srv = await startEsploraServer(chain);
    const s = await testServices("immutable");
    try {
      const mk = () =>
        createEsploraSource({ baseUrl: srv.url, rps: 1000, responses: new DbResponseStore(s.store) });
      const first = mk();
      const t1 = await first.transaction(spend.txid);
      const o1 = await first.outspends(u.txid);
      expect(srv.stats.total).toBe(2);
      const second = mk(); // a later run: new client, same database
      expect(await second.transaction(spend.txid)).toEqual(t1);
      expect(await second.outspends(u.txid)).toEqual(o1);
      expect(second.counter.cacheHits).toBe(2);
      expect(srv.stats.total).toBe(2);
      // outputs not yet spent can change: asked again
      await second.outspends(spend.txid);
      await second.outspends(spend.txid);
      expect(srv.stats.total).toBe(4);
    } finally {
      s.close();
      await srv.close();
    }
  });
});
