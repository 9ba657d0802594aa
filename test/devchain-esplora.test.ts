import { readFileSync } from "node:fs";
import axios, { type AxiosResponse } from "axios";
import * as bitcoin from "bitcoinjs-lib";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  type AddressType,
  addressToScript,
  DevChain,
  type EsploraTx,
  fromHex,
  scriptAddress,
  scriptAsm,
  scriptType,
  toHex,
  type Utxo,
} from "../src/devchain/bitcoin.ts";
import { type EsploraServer, startEsploraServer } from "../src/devchain/esplora-server.ts";
import { fixture } from "./helpers/fixtures.ts";

const SAMPLES = fixture("api-samples/esplora");
const sample = (f: string) => JSON.parse(readFileSync(`${SAMPLES}/${f}`, "utf8"));

/** Raw GET: never throws on status, body kept as text. */
async function get(server: EsploraServer, path: string, timeout = 5000): Promise<AxiosResponse<string>> {
  return axios.get<string>(server.url + path, {
    timeout,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: (r) => r,
  });
}

async function getJson<T = any>(server: EsploraServer, path: string): Promise<T> {
  const r = await get(server, path);
  expect(r.status, `${path}: ${r.data}`).toBe(200);
  expect(r.headers["content-type"]).toBe("application/json");
  return JSON.parse(r.data) as T;
}

const touches = (t: EsploraTx, addr: string) =>
  t.vin.some((v) => v.prevout?.scriptpubkey_address === addr) ||
  t.vout.some((o) => o.scriptpubkey_address === addr);

// mempool.space adds these to Esplora's fields; Blockstream's electrs has none of them.
const MEMPOOL_ONLY = new Set([
  "sigops",
  "vsize",
  "feePerVsize",
  "effectiveFeePerVsize",
  "adjustedVsize",
  "adjustedFeePerVsize",
  "firstSeen",
  "uid",
  "position",
  "cpfpChecked",
  "ancestors",
  "descendants",
  "bestDescendant",
  "order",
  "inputs",
]);
const esploraKeys = (o: object) => Object.keys(o).filter((k) => !MEMPOOL_ONLY.has(k));

/**
 * A chain with every input type and an address with 65 confirmed txs (three pages), served by a
 * local Esplora. A test that changes the chain builds its own.
 */
async function hotChain() {
  const chain = new DevChain({ seed: "devchain-esplora-test" });
  const types: AddressType[] = ["p2pkh", "p2wpkh", "p2sh-p2wpkh", "p2tr"];
  for (const t of types) chain.fund(chain.wallet(`w-${t}`, t).address(), 1_000_000n);
  chain.mine();
  // one spend from every address type, so every input kind is on chain
  const sink = chain.wallet("sink", "p2wpkh");
  for (const t of types) {
    chain.send({
      from: chain.wallet(`w-${t}`),
      to: [{ address: sink.address(), value: 300_000n }],
      fee: 2_000n,
    });
  }
  chain.mine();

  // an address with more than two pages of confirmed history, some of it spending
  const hot = chain.wallet("hot", "p2wpkh");
  const hotAddr = hot.address();
  for (let i = 0; i < 45; i++) {
    chain.fund(hotAddr, 20_000n + BigInt(i));
    if (i % 9 === 8) chain.mine();
  }
  const carol = chain.wallet("carol", "p2tr");
  for (let i = 0; i < 20; i++) {
    const u = hot.utxos().find((x) => x.address === hotAddr)!;
    chain.send({
      from: [u],
      to: [{ address: carol.address(), value: 5_000n }],
      fee: 500n,
      changeAddress: hotAddr,
    });
    if (i % 5 === 4) chain.mine();
  }
  return { chain, hotAddr, server: await startEsploraServer(chain) };
}

describe("devchain + local Esplora server", () => {
  let chain: DevChain;
  let server: EsploraServer;
  let hotAddr: string;
  const expectedHotTxs = 65;

  beforeAll(async () => {
    ({ chain, hotAddr, server } = await hotChain());
  });

  afterAll(async () => {
    await server?.close();
  });

  it("serves every transaction with txid = reversed double-SHA256 of its serialisation", async () => {
    server.resetStats();
    const all = chain.esploraTxs();
    expect(all.length).toBeGreaterThan(80);
    for (const t of all) {
      const r = await get(server, `/tx/${t.txid}/hex`);
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe("text/plain");
      const tx = bitcoin.Transaction.fromHex(r.data);
      expect(tx.getId()).toBe(t.txid);
      expect(tx.toHex()).toBe(r.data);
      expect(r.data.length / 2).toBe(t.size);
      expect(tx.weight()).toBe(t.weight);
      // every input carries a signature (or is a coinbase input)
      for (const input of tx.ins) {
        const isCoinbase = bitcoin.Transaction.isCoinbaseHash(input.hash);
        expect(isCoinbase || input.witness.length > 0 || input.script.length > 0).toBe(true);
      }
    }
    expect(server.stats.byRoute["/tx/:txid/hex"]).toBe(all.length);
    expect(new Set(server.stats.paths).size).toBe(all.length);
  });

  it("builds real block headers: hash = hash of the header, merkle root and witness commitment check", async () => {
    const tip = Number((await get(server, "/blocks/tip/height")).data);
    expect(tip).toBe(chain.tipHeight);
    expect((await get(server, "/blocks/tip/hash")).data).toBe(chain.tipHash);
    let prev: string | undefined;
    for (let h = chain.startHeight; h <= tip; h++) {
      const hash = (await get(server, `/block-height/${h}`)).data;
      const header = (await get(server, `/block/${hash}/header`)).data;
      expect(header.length).toBe(160);
      expect(bitcoin.Block.fromHex(header).getId()).toBe(hash);
      const raw = await axios.get<ArrayBuffer>(`${server.url}/block/${hash}/raw`, {
        responseType: "arraybuffer",
      });
      const block = bitcoin.Block.fromBuffer(new Uint8Array(raw.data));
      expect(block.getId()).toBe(hash);
      expect(block.checkTxRoots()).toBe(true);
      const info = await getJson(server, `/block/${hash}`);
      expect(Object.keys(info)).toEqual([
        "id",
        "height",
        "version",
        "timestamp",
        "tx_count",
        "size",
        "weight",
        "merkle_root",
        "previousblockhash",
        "mediantime",
        "nonce",
        "bits",
        "difficulty",
      ]);
      expect(info.id).toBe(hash);
      expect(info.height).toBe(h);
      expect(info.tx_count).toBe(block.transactions!.length);
      expect(info.size).toBe(raw.data.byteLength);
      if (prev) expect(info.previousblockhash).toBe(prev);
      const txids = await getJson<string[]>(server, `/block/${hash}/txids`);
      expect(txids).toEqual(block.transactions!.map((t) => t.getId()));
      expect((await getJson(server, `/block/${hash}/status`)).in_best_chain).toBe(true);
      prev = hash;
    }
    // timestamps increase, heights are realistic
    const blocks = chain.chainBlocks();
    expect(blocks[0]!.height).toBe(800_000);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.time).toBeGreaterThan(blocks[i - 1]!.time);
  });

  it("pages an address with more than 60 confirmed txs via /txs/chain/:last_seen_txid", async () => {
    const expected = chain
      .esploraTxs()
      .filter((t) => t.status.confirmed && touches(t, hotAddr))
      .sort((a, b) => {
        const la = chain.txLocation(a.txid)!;
        const lb = chain.txLocation(b.txid)!;
        return lb.height - la.height || lb.pos - la.pos;
      })
      .map((t) => t.txid);
    expect(expected.length).toBe(expectedHotTxs);

    server.resetStats();
    const pages: EsploraTx[][] = [];
    let last: string | undefined;
    for (;;) {
      const page = await getJson<EsploraTx[]>(
        server,
        last ? `/address/${hotAddr}/txs/chain/${last}` : `/address/${hotAddr}/txs/chain`,
      );
      pages.push(page);
      if (page.length < 25) break;
      last = page[page.length - 1]!.txid;
    }
    expect(pages.map((p) => p.length)).toEqual([25, 25, 15]);
    const got = pages.flat().map((t) => t.txid);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(expected);
    for (const t of pages.flat()) {
      expect(t.status.confirmed).toBe(true);
      expect(touches(t, hotAddr)).toBe(true);
    }
    // newest first
    const heights = pages.flat().map((t) => t.status.block_height!);
    expect([...heights].sort((a, b) => b - a)).toEqual(heights);
    // exactly one request per page
    expect(server.stats.byRoute["/address/:address/txs/chain"]).toBe(1);
    expect(server.stats.byRoute["/address/:address/txs/chain/:last_seen_txid"]).toBe(2);
    expect(server.stats.total).toBe(3);

    const info = await getJson(server, `/address/${hotAddr}`);
    expect(Object.keys(info)).toEqual(["address", "chain_stats", "mempool_stats"]);
    expect(Object.keys(info.chain_stats)).toEqual(
      Object.keys(sample("mempool_docs_get_address_1wiz18xYmhRX6xStj2b9t1rwWX4GKUgpv.json").chain_stats),
    );
    expect(info.chain_stats.tx_count).toBe(expectedHotTxs);
    expect(info.chain_stats.funded_txo_count).toBe(65);
    expect(info.chain_stats.spent_txo_count).toBe(20);
    expect(info.mempool_stats.tx_count).toBe(0);

    // an unknown (well-formed) last_seen_txid skips everything; a malformed one is ignored
    expect(await getJson(server, `/address/${hotAddr}/txs/chain/${"ab".repeat(32)}`)).toEqual([]);
    const first = await getJson<EsploraTx[]>(server, `/address/${hotAddr}/txs/chain/nothex`);
    expect(first.map((t) => t.txid)).toEqual(expected.slice(0, 25));
  });

  it("shows unconfirmed txs in /txs and /txs/mempool, then confirms them after mine()", async () => {
    const { chain, hotAddr, server } = await hotChain();
    onTestFinished(() => server.close());
    const alice = chain.wallet("alice", "p2wpkh");
    const before = await getJson<EsploraTx[]>(server, `/address/${hotAddr}/txs`);
    expect(before.length).toBe(25);

    const u = chain.wallet("hot").utxos()[0]!;
    const sent = chain.send({
      from: [u],
      to: [{ address: alice.address(), value: 10_000n }],
      fee: 300n,
      changeAddress: hotAddr,
    });
    const child = chain.send({ from: alice, to: [{ address: hotAddr, value: 9_000n }], fee: 200n });

    const mem = await getJson<EsploraTx[]>(server, `/address/${hotAddr}/txs/mempool`);
    expect(mem.map((t) => t.txid)).toEqual([sent.txid, child.txid]);
    for (const t of mem) expect(t.status).toEqual({ confirmed: false });
    const mixed = await getJson<EsploraTx[]>(server, `/address/${hotAddr}/txs`);
    expect(mixed.length).toBe(27);
    expect(mixed.slice(0, 2).map((t) => t.txid)).toEqual([sent.txid, child.txid]);
    expect(mixed.slice(2)).toEqual(before);
    expect(await getJson(server, `/tx/${child.txid}/status`)).toEqual({ confirmed: false });
    expect((await getJson(server, `/address/${hotAddr}`)).mempool_stats.tx_count).toBe(2);
    // the child's prevout comes from the unconfirmed parent
    const childJson = await getJson<EsploraTx>(server, `/tx/${child.txid}`);
    expect(childJson.vin[0]!.txid).toBe(sent.txid);
    expect(childJson.fee).toBe(200);

    // mining only the child pulls in its unconfirmed parent
    const b = chain.mine({ txids: [child.txid] });
    expect(b.txids.slice(1)).toEqual([sent.txid, child.txid]);
    expect(await getJson(server, `/address/${hotAddr}/txs/mempool`)).toEqual([]);
    const status = await getJson(server, `/tx/${child.txid}/status`);
    expect(status).toEqual({
      confirmed: true,
      block_height: b.height,
      block_hash: b.hash,
      block_time: b.time,
    });
    const page1 = await getJson<EsploraTx[]>(server, `/address/${hotAddr}/txs/chain`);
    expect(page1.slice(0, 2).map((t) => t.txid)).toEqual([child.txid, sent.txid]);
    expect(Number((await get(server, "/blocks/tip/height")).data)).toBe(b.height);
  });

  it("reports outspends after a spend, unconfirmed and then confirmed", async () => {
    const dave = chain.wallet("dave", "p2sh-p2wpkh");
    const funding = chain.fund(dave.address(), 50_000n);
    chain.mine();
    expect(await getJson(server, `/tx/${funding.txid}/outspends`)).toEqual([{ spent: false }]);
    const spend = chain.send({
      from: dave,
      to: [{ address: chain.wallet("sink").address(), value: 20_000n }],
      fee: 1_000n,
    });
    expect(spend.inputs.map((i) => i.txid)).toContain(funding.txid);
    const vin = spend.inputs.findIndex((i) => i.txid === funding.txid);
    expect(await getJson(server, `/tx/${funding.txid}/outspends`)).toEqual([
      { spent: true, txid: spend.txid, vin, status: { confirmed: false } },
    ]);
    const spendOuts = await getJson(server, `/tx/${spend.txid}/outspends`);
    expect(spendOuts).toEqual([{ spent: false }, { spent: false }]);
    const b = chain.mine();
    expect(await getJson(server, `/tx/${funding.txid}/outspends`)).toEqual([
      {
        spent: true,
        txid: spend.txid,
        vin,
        status: { confirmed: true, block_height: b.height, block_hash: b.hash, block_time: b.time },
      },
    ]);
    expect(await getJson(server, `/tx/${funding.txid}/outspend/0`)).toEqual(
      (await getJson<unknown[]>(server, `/tx/${funding.txid}/outspends`))[0],
    );
  });

  it("builds CoinJoin-like txs with inputs from several wallets in the given order", async () => {
    const types: AddressType[] = ["p2pkh", "p2wpkh", "p2sh-p2wpkh", "p2tr", "p2wpkh"];
    const inputs: Utxo[] = types.map((t, i) =>
      chain.fund(chain.wallet(`cj-in-${i}`, t).address(), 120_000n + BigInt(i)),
    );
    chain.mine();
    const outs = types.map((_, i) => ({
      address: chain.wallet(`cj-out-${i}`, "p2wpkh").address(),
      value: 100_000n,
    }));
    const cj = chain.send({
      from: [...inputs].reverse(),
      to: outs,
      fee: 5_000n,
      changeAddress: chain.wallet("coordinator").address(),
    });
    const t = await getJson<EsploraTx>(server, `/tx/${cj.txid}`);
    expect(t.vin.map((v) => `${v.txid}:${v.vout}`)).toEqual(
      [...inputs].reverse().map((u) => `${u.txid}:${u.vout}`),
    );
    expect(t.vin.map((v) => v.prevout!.scriptpubkey_address)).toEqual(
      [...inputs].reverse().map((u) => u.address),
    );
    expect(t.vout.slice(0, 5).every((o) => o.value === 100_000)).toBe(true);
    expect(t.fee).toBe(5_000);
    expect(t.vout[5]!.value).toBe(600_010 - 500_000 - 5_000);
  });

  it("writes satoshi values as exact JSON integers", async () => {
    const big = 2_099_999_997_690_000n;
    const u = chain.fund(chain.wallet("whale").address(), big);
    const raw = (await get(server, `/tx/${u.txid}`)).data;
    expect(raw).toContain(`"value":${big}}`);
    expect(raw).not.toMatch(/"value":\d+\.\d/);
    expect(raw).not.toMatch(/e\+/);
    expect(BigInt(/"value":(\d+)/.exec(raw)![1]!)).toBe(big);
    chain.mine();
  });

  it("matches the keys and key order of real Esplora samples for P2WPKH and P2TR txs", async () => {
    const random = sample("mempool_fixture_transactions-random.json");
    const p2wpkhSample = random[2]; // confirmed, P2WPKH input
    const allKinds = random[3]; // confirmed, block 850000: every input/output type
    const ours = chain.esploraTxs().filter((t) => t.status.confirmed);
    const byInput = (type: string) =>
      ours.find((t) => t.vin.length >= 1 && t.vin.every((v) => v.prevout?.scriptpubkey_type === type))!;
    const p2wpkh = byInput("v0_p2wpkh");
    const p2tr = byInput("v1_p2tr");
    expect(p2wpkh && p2tr).toBeTruthy();

    for (const t of [p2wpkh, p2tr]) {
      const served = await getJson(server, `/tx/${t.txid}`);
      expect(served).toEqual(t);
      expect(Object.keys(served)).toEqual(esploraKeys(p2wpkhSample));
      expect(Object.keys(served)).toEqual(esploraKeys(allKinds));
      expect(Object.keys(served.status)).toEqual(Object.keys(p2wpkhSample.status));
      for (const o of served.vout) {
        const ref = allKinds.vout.find((x: any) => x.scriptpubkey_type === o.scriptpubkey_type);
        expect(Object.keys(o)).toEqual(Object.keys(ref));
      }
    }
    expect(Object.keys(p2wpkh.vin[0]!)).toEqual(Object.keys(p2wpkhSample.vin[0]));
    expect(Object.keys(p2wpkh.vin[0]!.prevout!)).toEqual(Object.keys(p2wpkhSample.vin[0].prevout));
    const p2trKeyPath = allKinds.vin.find(
      (v: any) => v.prevout.scriptpubkey_type === "v1_p2tr" && v.witness.length === 1,
    );
    expect(Object.keys(p2tr.vin[0]!)).toEqual(Object.keys(p2trKeyPath));
    expect(p2tr.vin[0]!.witness![0]!.length).toBe(128); // 64-byte Schnorr sig, SIGHASH_DEFAULT
    // the other input kinds too
    const p2pkh = byInput("p2pkh");
    const p2sh = byInput("p2sh");
    const refPkh = allKinds.vin.find((v: any) => v.prevout.scriptpubkey_type === "p2pkh");
    const refShWpkh = allKinds.vin.find(
      (v: any) => v.prevout.scriptpubkey_type === "p2sh" && v.witness?.length === 2,
    );
    expect(Object.keys(p2pkh.vin[0]!)).toEqual(Object.keys(refPkh));
    expect(Object.keys(p2sh.vin[0]!)).toEqual(Object.keys(refShWpkh));
    expect(p2sh.vin[0]!.inner_redeemscript_asm).toMatch(/^OP_0 OP_PUSHBYTES_20 [0-9a-f]{40}$/);
    // mempool.space's own P2TR object orders keys differently; the key set still matches
    const nonStd = sample("mempool_fixture_non-standard-txs.json")[0];
    expect(new Set(Object.keys(p2tr))).toEqual(new Set(esploraKeys(nonStd)));
    // unconfirmed status has only `confirmed`
    expect(Object.keys(sample("mempool_fixture_api_tx_b6a53d8a.json").status)).toEqual(["confirmed"]);
    // coinbase input shape
    const cb = ours.find((t) => t.vin[0]!.is_coinbase)!;
    expect(cb.vin[0]!.prevout).toBeNull();
    expect(cb.vin[0]!.vout).toBe(0xffffffff);
    expect(cb.fee).toBe(0);
  });

  it("renders scripts like electrs: asm, type and address agree with the real samples", () => {
    const txs = [
      ...sample("mempool_fixture_transactions-random.json"),
      sample("mempool_fixture_api_tx_b6a53d8a.json"),
      sample("mempool_fixture_api_tx_cached_21518a98.json"),
    ];
    let checked = 0;
    for (const t of txs) {
      const outs = [...t.vout, ...t.vin.map((v: any) => v.prevout).filter(Boolean)];
      for (const o of outs) {
        const s = fromHex(o.scriptpubkey);
        expect(scriptAsm(s)).toBe(o.scriptpubkey_asm);
        // mempool.space labels bare multisig; Blockstream's electrs calls it "unknown"
        expect(scriptType(s)).toBe(o.scriptpubkey_type === "multisig" ? "unknown" : o.scriptpubkey_type);
        expect(scriptAddress(s)).toBe(o.scriptpubkey_address);
        if (o.scriptpubkey_address)
          expect(toHex(addressToScript(o.scriptpubkey_address))).toBe(o.scriptpubkey);
        checked++;
      }
      for (const v of t.vin) {
        expect(scriptAsm(fromHex(v.scriptsig))).toBe(v.scriptsig_asm);
        if (v.inner_redeemscript_asm) {
          const chunks = bitcoin.script.decompile(fromHex(v.scriptsig))!;
          expect(scriptAsm(chunks[chunks.length - 1] as Uint8Array)).toBe(v.inner_redeemscript_asm);
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("answers errors with Esplora's status codes and plain-text bodies", async () => {
    const unknown = "ab".repeat(32);
    const cases: [string, number, string][] = [
      [`/tx/${unknown}`, 404, "Transaction not found"],
      [`/tx/${unknown}/hex`, 404, "Transaction not found"],
      [`/tx/${unknown}/outspends`, 404, "Transaction not found"],
      ["/tx/xyz", 400, "Invalid hex string"],
      [`/tx/${unknown.slice(2)}`, 400, "Invalid hex string"],
      [`/block/${unknown}`, 404, "Block not found"],
      [`/block/${unknown}/txids`, 404, "Block not found"],
      ["/block/nothex", 400, "Invalid hex string"],
      ["/block-height/99999999", 404, "Block not found"],
      ["/block-height/abc", 400, "Invalid number"],
      ["/address/notanaddress", 400, "base58 error"],
      ["/address/1BoatSLRHtKNngkdXEeobR76b53LETtpyX", 400, "base58 error"], // checksum broken
      ["/address/tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", 400, "Address on invalid network"],
      ["/address/mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", 400, "Address on invalid network"],
      [`/address/${"1".repeat(60)}`, 400, "legacy address base58 string"],
      [
        `/address/${bitcoin.address.toBech32(new Uint8Array(20), 0, "ltc")}`,
        400,
        "tried to parse an unknown hrp",
      ],
      [`/address/${hotAddr}/txs/chain/${unknown}/extra`, 200, "[]"],
      ["/scripthash/xyz", 400, "Invalid scripthash"],
      ["/nope", 404, 'endpoint does not exist "/nope"'],
      [`/tx/${unknown}/nope`, 404, `endpoint does not exist "/tx/${unknown}/nope"`],
    ];
    for (const [path, status, body] of cases) {
      const r = await get(server, path);
      expect([path, r.status, r.data]).toEqual([path, status, body]);
      if (status !== 200) expect(r.headers["content-type"]).toBe("text/plain");
    }
    // not errors in electrs
    expect(await getJson(server, `/tx/${unknown}/status`)).toEqual({ confirmed: false });
    expect(await getJson(server, `/block/${unknown}/status`)).toEqual({
      in_best_chain: false,
      height: null,
      next_best: null,
    });
    const empty = await getJson(server, `/address/${chain.wallet("nobody").address()}`);
    expect(empty.chain_stats.tx_count).toBe(0);
    // a v1 witness program of 20 bytes (from the samples) is still a valid address to rust-bitcoin
    const odd = await getJson(server, "/address/bc1p6uwxc048hflxaerh5zlastpqc7ye0zpvq7gq2a");
    expect(odd.mempool_stats.tx_count).toBe(0);
  });

  it("injects each fault kind, observed by an axios client with a short timeout", async () => {
    server.resetStats();
    const path = `/tx/${chain.esploraTxs()[0]!.txid}`;
    server.setFaults({ schedule: ["429", "503", "timeout", "reset", "truncated"], holdMs: 2_000 });
    const r429 = await get(server, path, 300);
    expect(r429.status).toBe(429);
    expect(r429.data).toBe("Too Many Requests");
    expect(r429.headers["retry-after"]).toBeUndefined();
    const r503 = await get(server, path, 300);
    expect(r503.status).toBe(503);
    await expect(get(server, path, 300)).rejects.toMatchObject({ code: "ECONNABORTED" });
    await expect(get(server, path, 300)).rejects.toMatchObject({ code: "ECONNRESET" });
    // a truncated body fails even though the status line said 200
    await expect(get(server, path, 300)).rejects.toMatchObject({ response: { status: 200 } });
    const ok = await get(server, path, 300);
    expect(ok.status).toBe(200);
    expect(server.stats.faultsByKind).toEqual({ "429": 1, "503": 1, timeout: 1, reset: 1, truncated: 1 });
    expect(server.stats.faulted).toBe(5);
    expect(server.stats.served).toBe(1);
    expect(server.stats.total).toBe(6);
    expect(server.stats.byRoute["/tx/:txid"]).toBe(1);
    expect(server.stats.faultedByRoute["/tx/:txid"]).toBe(5);

    server.setFaults({ schedule: ["429"], retryAfter: 3 });
    expect((await get(server, path)).headers["retry-after"]).toBe("3");
    server.setFaults(null);
  });

  it("injects faults at a seeded rate, only on matching paths, reproducibly", async () => {
    const run = async () => {
      server.resetStats();
      server.setFaults({ rate: 0.3, seed: 7, kinds: ["429", "503", "reset"], failPaths: [/^\/tx\//] });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        const p = i % 2 === 0 ? `/tx/${chain.tipHash}/status` : "/blocks/tip/height";
        try {
          outcomes.push(String((await get(server, p, 1000)).status));
        } catch (e: any) {
          outcomes.push(e.code);
        }
      }
      server.setFaults(null);
      return outcomes;
    };
    const a = await run();
    const statsA = structuredClone(server.stats);
    const b = await run();
    expect(b).toEqual(a);
    expect(statsA.total).toBe(40);
    expect(statsA.served + statsA.faulted).toBe(40);
    expect(statsA.faulted).toBeGreaterThan(2);
    expect(statsA.faulted).toBeLessThan(15);
    expect(statsA.faultedByRoute["/blocks/tip/height"]).toBeUndefined();
    expect(statsA.byRoute["/blocks/tip/height"]).toBe(20);
  });
});

describe("reorgs", () => {
  let chain: DevChain;
  let server: EsploraServer;

  beforeAll(async () => {
    chain = new DevChain({ seed: "reorg" });
    server = await startEsploraServer(chain, { basePath: "/api" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("replaces blocks at the same heights with different hashes", async () => {
    const alice = chain.wallet("alice", "p2tr");
    const bob = chain.wallet("bob", "p2pkh");
    chain.fund(alice.address(), 100_000n);
    chain.mine();
    const pay = chain.send({ from: alice, to: [{ address: bob.address(), value: 40_000n }], fee: 1_000n });
    chain.mine();
    const gone = chain.send({ from: bob, to: [{ address: alice.address(), value: 10_000n }], fee: 1_000n });
    chain.mine();
    const tip = chain.tipHeight;
    const oldHashes = [tip - 1, tip].map((h) => chain.blockAtHeight(h)!.hash);
    expect((await getJson(server, `/tx/${pay.txid}/status`)).block_hash).toBe(oldHashes[0]);

    const r = chain.reorg(2, { drop: [gone.txid] });
    expect(r.removedBlocks).toEqual(oldHashes);
    expect(r.returnedToMempool).toEqual([pay.txid]);
    expect(r.dropped).toEqual([gone.txid]);
    expect(Number((await get(server, "/blocks/tip/height")).data)).toBe(tip - 2);
    expect(await getJson(server, `/tx/${pay.txid}/status`)).toEqual({ confirmed: false });
    expect((await get(server, `/tx/${gone.txid}`)).data).toBe("Transaction not found");
    const oldBlock = await get(server, `/block/${oldHashes[0]}`);
    expect([oldBlock.status, oldBlock.data]).toEqual([404, "Block not found"]);
    expect((await getJson(server, `/block/${oldHashes[0]}/status`)).in_best_chain).toBe(false);

    chain.mine();
    chain.mine();
    const newHashes = [tip - 1, tip].map((h) => chain.blockAtHeight(h)!.hash);
    for (let i = 0; i < 2; i++) {
      expect(newHashes[i]).not.toBe(oldHashes[i]);
      expect((await get(server, `/block-height/${tip - 1 + i}`)).data).toBe(newHashes[i]);
    }
    const st = await getJson(server, `/tx/${pay.txid}/status`);
    expect(st.block_hash).toBe(newHashes[0]);
    expect(st.block_height).toBe(tip - 1);
    // the spend of the dropped tx's output is possible again
    expect(bob.utxos().some((u) => u.txid === pay.txid)).toBe(true);
    expect((await get(server, "/tx/abc")).status).toBe(400);
    expect((await get(server, "/blocks/tip/height")).status).toBe(200);
    const outside = await axios.get(`http://127.0.0.1:${server.port}/blocks/tip/height`, {
      validateStatus: () => true,
    });
    expect(outside.status).toBe(404);
  });

  it("is deterministic for the same seed and calls", () => {
    const build = () => {
      const c = new DevChain({ seed: "same" });
      const w = c.wallet("w", "p2tr");
      c.fund(w.address(), 50_000n);
      c.mine();
      c.send({
        from: w,
        to: [{ address: c.wallet("x", "p2sh-p2wpkh").address(), value: 20_000n }],
        fee: 700n,
      });
      c.mine();
      return c.chainBlocks().map((b) => b.hash);
    };
    expect(build()).toEqual(build());
  });
});
