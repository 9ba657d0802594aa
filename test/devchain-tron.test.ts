import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTronJson } from "../adapters/tron/json.ts";
import { tronHex } from "../src/chains.ts";
import { txIdOf } from "../src/devchain/tron-proto.ts";
import { buildTronScenario, type TronScenario } from "../src/devchain/tron-scenario.ts";
import { startTronServer, type TronServer } from "../src/devchain/tron-server.ts";

const fixture = (f: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/tron/${f}`, import.meta.url), "utf8")) as any;
const TL24 = "TL24LCps5FKwp3PoU1MvrYrwhi5LU1tHre";
const realTxs = [
  ...fixture("ledger-live_v1_accounts_TL24_transactions.page1-excerpt.json").data,
  ...fixture("ledger-live_v1_accounts_TL24_transactions.page2-last-complete.json").data,
];

/** JSON type of a parsed value (int64 amounts beyond 2^53 parse as bigint: still a JSON number). */
const jsonType = (v: unknown) => (typeof v === "bigint" ? "number" : typeof v);

/** A value's shape: keys and JSON types, arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  return jsonType(v);
}

/** Every key of `mine` exists in `real` with the same shape (for answers whose fields come and go). */
function expectSubShape(mine: unknown, real: unknown, path = "$"): void {
  if (Array.isArray(mine)) {
    expect(Array.isArray(real), path).toBe(true);
    if (mine.length && (real as unknown[]).length)
      expectSubShape(mine[0], (real as unknown[])[0], `${path}[0]`);
    return;
  }
  if (mine !== null && typeof mine === "object") {
    expect(typeof real, path).toBe("object");
    for (const [k, v] of Object.entries(mine)) {
      expect(real as object, `${path} has no ${k} in the real answer`).toHaveProperty([k]);
      expectSubShape(v, (real as Record<string, unknown>)[k], `${path}.${k}`);
    }
    return;
  }
  expect(jsonType(mine), path).toBe(jsonType(real));
}

describe("Tron encoding", () => {
  it("encodes real TronGrid transactions to their raw_data_hex and txID byte for byte", () => {
    const supported = realTxs.filter((t) =>
      ["TransferContract", "TransferAssetContract", "TriggerSmartContract"].includes(
        t.raw_data.contract[0].type,
      ),
    );
    expect(supported.length).toBeGreaterThanOrEqual(9);
    for (const t of supported) {
      const { rawDataHex, txID } = txIdOf(t.raw_data);
      expect(rawDataHex, t.txID).toBe(t.raw_data_hex);
      expect(txID).toBe(t.txID);
    }
  });
});

describe("local TronGrid server", () => {
  let s: TronScenario;
  let srv: TronServer;
  const get = async (p: string) => {
    const r = await fetch(srv.url + p);
    return { status: r.status, headers: r.headers, body: parseTronJson(await r.text()) as any };
  };
  const all = async (path: string, query: string) => {
    const items: any[] = [];
    let url = `${path}?${query}`;
    let pages = 0;
    for (;;) {
      const { body } = await get(url);
      items.push(...body.data);
      pages++;
      if (!body.meta.links) return { items, pages };
      url = body.meta.links.next.slice(srv.url.length);
    }
  };
  beforeAll(async () => {
    s = buildTronScenario();
    srv = await startTronServer(s.chain);
  });
  afterAll(() => srv?.close());

  it("answers transactions with the keys and types of real TronGrid items, per contract type", async () => {
    const items = [
      ...(await all(`/v1/accounts/${s.addresses.alice}/transactions`, "limit=50")).items,
      ...(await all(`/v1/accounts/${s.addresses.bob}/transactions`, "limit=50")).items,
    ];
    const real = (type: string) =>
      realTxs.find((t) => t.raw_data.contract[0].type === type && t.raw_data.timestamp);
    const mine = (type: string, f: (t: any) => boolean = () => true) =>
      items.find((t) => t.txID && t.raw_data.contract[0].type === type && f(t));
    for (const type of ["TransferContract", "TransferAssetContract"])
      expect(shape(mine(type)), type).toEqual(shape(real(type)));
    // a plain USDT transfer: no call value, no internal transactions
    const usdt = mine(
      "TriggerSmartContract",
      (t) => !t.raw_data.contract[0].parameter.value.call_value && t.internal_transactions.length === 0,
    );
    expect(shape(usdt)).toEqual(shape(real("TriggerSmartContract")));
    for (const t of items.filter((x) => x.txID))
      expect(createHash("sha256").update(Buffer.from(t.raw_data_hex, "hex")).digest("hex")).toBe(t.txID);
    // the bare internal-transaction rows of the same list
    const rows = items.filter((x) => x.internal_tx_id);
    expect(rows.length).toBeGreaterThan(0);
    const semver = {
      internal_tx_id: "x",
      data: { note: "call", rejected: false },
      block_timestamp: 1,
      to_address: "x",
      tx_id: "x",
      from_address: "x",
    };
    for (const r of rows)
      expectSubShape({ ...r, data: { note: r.data.note, rejected: r.data.rejected } }, semver);
  });

  it("answers TRC-20 items like the real sample (no block number; detail only on request)", async () => {
    const real = fixture(`trongrid_v1_accounts_${TL24}_transactions_trc20.ledger-live-fixture-excerpt.json`)[
      TL24
    ].data[0];
    const { detail, ...plain } = real;
    const { body } = await get(`/v1/accounts/${s.addresses.alice}/transactions/trc20?limit=5`);
    expect(shape(body.data[0])).toEqual(shape(plain));
    expect(body.data[0]).not.toHaveProperty("blockNumber");
    const withDetail = await get(
      `/v1/accounts/${s.addresses.alice}/transactions/trc20?limit=5&get_detail=true`,
    );
    const d = withDetail.body.data.find((x: any) => x.from === s.addresses.alice);
    expect(shape({ ...d, detail: { ...d.detail, internal_transactions: [] } })).toEqual(shape(real));
  });

  it("pages like TronGrid: meta.fingerprint and links.next until the last page, which has neither", async () => {
    const page1 = fixture("ledger-live_v1_accounts_TL24_transactions.page1-excerpt.json").meta;
    const last = fixture("ledger-live_v1_accounts_TL24_transactions.page2-last-complete.json").meta;
    const dave = s.addresses.dave;
    const first = await get(`/v1/accounts/${dave}/transactions?limit=10&only_confirmed=true`);
    expect(shape(first.body.meta)).toEqual(shape(page1));
    expect(first.body.meta.links.next).toContain(`fingerprint=${first.body.meta.fingerprint}`);
    const { items, pages } = await all(`/v1/accounts/${dave}/transactions`, "limit=10&only_confirmed=true");
    expect(pages).toBeGreaterThan(3);
    const ids = items.map((x) => x.txID ?? x.internal_tx_id);
    expect(new Set(ids).size).toBe(ids.length);
    const txids = s.chain
      .allTxs()
      .filter((t) => t.parties.includes(dave))
      .map((t) => t.txID);
    expect([...ids].sort()).toEqual([...txids].sort());
    // newest first by default
    const ts = items.map((x) => x.block_timestamp);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
    const lastPage = await get(`/v1/accounts/${dave}/transactions?limit=200`);
    expect(shape(lastPage.body.meta)).toEqual(shape(last));
    // asc order gives the same items reversed in block order
    const asc = await all(`/v1/accounts/${dave}/transactions`, "limit=7&order_by=block_timestamp,asc");
    expect(asc.items.map((x) => x.block_timestamp)).toEqual([...ts].reverse());
  });

  it("refuses what TronGrid refuses: limit above 200, a fingerprint under other filters, a bad address", async () => {
    const a = s.addresses.dave;
    expect((await get(`/v1/accounts/${a}/transactions?limit=201`)).status).toBe(400);
    const { body } = await get(`/v1/accounts/${a}/transactions?limit=5`);
    const moved = await get(
      `/v1/accounts/${a}/transactions?limit=5&only_confirmed=true&fingerprint=${body.meta.fingerprint}`,
    );
    expect(moved.status).toBe(400);
    const bad = await get(`/v1/accounts/${a.slice(0, -1)}x/transactions`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      success: false,
      error: expect.stringContaining("A valid account address"),
      statusCode: 400,
    });
    // hex forms are accepted
    const hex = await get(`/v1/accounts/0x${tronHex(a).slice(2)}/transactions?limit=1`);
    expect(hex.status).toBe(200);
  });

  it("only_confirmed leaves out blocks above the solidified head", async () => {
    const c = s.chain;
    c.solidDepth = 3;
    try {
      const { items } = await all(
        `/v1/accounts/${s.addresses.dave}/transactions`,
        "limit=200&only_confirmed=true",
      );
      expect(items.every((x) => x.blockNumber <= c.solidHead.number)).toBe(true);
      expect((await get("/walletsolidity/getnowblock")).body.block_header.raw_data.number).toBe(
        c.head.number - 3,
      );
    } finally {
      c.solidDepth = 0;
    }
  });

  it("answers the node API: transaction info (with logs, internal transactions, failure), blocks, unknowns as {}", async () => {
    const real = fixture("ledger-live_wallet_gettransactioninfobyid.excerpt.json");
    // the union of the real answers' fields (each omits its zero ones)
    const merge = (a: any, b: any): any =>
      a && b && typeof a === "object" && !Array.isArray(a)
        ? Object.fromEntries(
            [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, merge(a[k], b[k])]),
          )
        : (a ?? b);
    const realUsdt = Object.values(real).reduce(merge);
    const usdtTx = s.chain.allTxs().find((t) => t.logs.length === 1 && t.type === "TriggerSmartContract")!;
    const info = (await get(`/wallet/gettransactioninfobyid?value=${usdtTx.txID}`)).body;
    expectSubShape(info, realUsdt);
    const post = await fetch(`${srv.url}/wallet/gettransactioninfobyid`, {
      method: "POST",
      body: JSON.stringify({ value: usdtTx.txID }),
    });
    expect(await post.json()).toEqual(info);
    const failed = (await get(`/wallet/gettransactioninfobyid?value=${s.failed.txid}`)).body;
    expect(failed).toMatchObject({ result: "FAILED", receipt: { result: "REVERT" } });
    expect(failed.internal_transactions[0]).toMatchObject({ rejected: true, note: "63616c6c" });
    expect((await get(`/wallet/gettransactioninfobyid?value=${"0".repeat(64)}`)).body).toEqual({});
    const b = (await get(`/wallet/getblockbynum?num=${usdtTx.block}`)).body;
    expect(b.blockID.startsWith(usdtTx.block.toString(16).padStart(16, "0"))).toBe(true);
    expect(b.transactions.map((t: any) => t.txID)).toContain(usdtTx.txID);
    const infos = (await get(`/wallet/gettransactioninfobyblocknum?num=${usdtTx.block}`)).body;
    expect(infos.map((x: any) => x.id)).toEqual(b.transactions.map((t: any) => t.txID));
    expect((await get(`/wallet/getblockbynum?num=${s.tip.height + 5}`)).body).toEqual({});
    expect((await get("/wallet/getnowblock")).body.blockID).toBe(s.tip.hash);
    const bad = await fetch(`${srv.url}/wallet/getblockbynum`, { method: "POST", body: "{num:" });
    expect(bad.status).toBe(200);
    expect(((await bad.json()) as any).Error).toBeTruthy();
    const ev = (await get(`/v1/transactions/${usdtTx.txID}/events`)).body;
    expect(ev.data[0]).toMatchObject({ block_number: usdtTx.block, event_index: 0, event_name: "Transfer" });
  });

  it("reports balances like /v1/accounts: TRX in sun, TRC-20 by contract as strings", async () => {
    const realAcc = fixture("ledger-live_fetchAccount.fixture.json")[TL24].data[0];
    const { body } = await get(`/v1/accounts/${s.addresses.alice}`);
    // trc20 entries are keyed by contract: compare one entry's shape under a common key
    const byKey = (acc: any) => ({
      ...acc,
      trc20: acc.trc20.map((e: object) => ({ contract: Object.values(e)[0] })),
    });
    expectSubShape(byKey(body.data[0]), byKey(realAcc));
    expect(body.data[0].balance).toBe(s.chain.balance(s.addresses.alice));
    const held = Object.assign({}, ...body.data[0].trc20);
    expect(held[s.usdt.contract]).toBe(s.chain.tokenBalance(s.usdt.contract, s.addresses.alice).toString());
    expect(held[s.fakeUsdt.contract]).toBe("1000000000");
    expect((await get(`/v1/accounts/${s.chain.address("nobody")}`)).body.data).toEqual([]);
  });

  it("injects 429 (with Retry-After) and 503 at the rate asked", async () => {
    srv.setFaults({ rate: 0.5, kinds: ["429", "503"], seed: 3, retryAfter: 1 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await fetch(`${srv.url}/wallet/getnowblock`);
        statuses.push(r.status);
        if (r.status === 429) expect(r.headers.get("retry-after")).toBe("1");
        await r.arrayBuffer();
      }
      expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(3);
      expect(statuses.filter((x) => x === 503).length).toBeGreaterThan(3);
      expect(statuses.filter((x) => x === 200).length).toBeGreaterThan(8);
    } finally {
      srv.setFaults(null);
    }
  });
});
