import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceGap } from "../adapters/source.ts";
import {
  createTronGridSource,
  createTronNodeSource,
  type TronGridSourceOptions,
} from "../adapters/tron/index.ts";
import { normalizeAddress } from "../src/chains.ts";
import { TronDevChain, USDT_CONTRACT } from "../src/devchain/tron.ts";
import { buildTronScenario, type TronScenario } from "../src/devchain/tron-scenario.ts";
import { startTronServer, type TronServer } from "../src/devchain/tron-server.ts";
import { type AccountFacts, accountSourceContract } from "./contract/account-contract.ts";

const KEY = "tron-test-key-7c1e-secret";
const PAGE = 10;
const FAST_RETRY = { maxRetries: 12, baseDelayMs: 2, maxDelayMs: 40 };

let s: TronScenario;
const servers: TronServer[] = [];

beforeAll(() => {
  s = buildTronScenario();
});
afterAll(async () => {
  await Promise.all(servers.map((x) => x.close()));
});

async function server(o: { getDetail?: boolean } = {}): Promise<TronServer> {
  s ??= buildTronScenario();
  const srv = await startTronServer(s.chain, { apiKey: KEY, ...o });
  servers.push(srv);
  return srv;
}

const facts = (recordWindow?: number): AccountFacts => ({
  tip: s.tip,
  addresses: s.tracked,
  expected: (a) => s.expected(a),
  bigValue: s.bigValue,
  failed: s.failed,
  windowAddress: s.windowAddress,
  recordWindow,
  addressForm: (a) => normalizeAddress("tron", a),
});

const gridSource = (srv: TronServer, o: Partial<TronGridSourceOptions> = {}) =>
  createTronGridSource({
    baseUrl: srv.url,
    apiKey: KEY,
    pageSize: PAGE,
    rps: 2000,
    concurrency: 8,
    retry: FAST_RETRY,
    ...o,
  });

const noTrace = {
  traceAddress: "Tron gives internal transactions in execution order, without a trace address",
};

accountSourceContract("trongrid (page size 10)", async () => {
  const srv = await server();
  return {
    source: gridSource(srv),
    fresh: () => gridSource(srv),
    facts: facts(PAGE),
    upstreamRequests: () => srv.stats.total,
    failNext: () => srv.setFaults({ schedule: ["503"] }),
    unknownFields: noTrace,
  };
});

accountSourceContract("trongrid without get_detail (blocks from transaction info)", async () => {
  const srv = await server({ getDetail: false });
  return {
    source: gridSource(srv),
    fresh: () => gridSource(srv),
    facts: facts(PAGE),
    upstreamRequests: () => srv.stats.total,
    failNext: () => srv.setFaults({ schedule: ["503"] }),
    unknownFields: noTrace,
  };
});

accountSourceContract("java-tron node (block scan)", async () => {
  const srv = await server();
  return {
    source: createTronNodeSource({ url: srv.url, rps: 2000, concurrency: 8, retry: FAST_RETRY }),
    fresh: () => createTronNodeSource({ url: srv.url, rps: 2000, concurrency: 8, retry: FAST_RETRY }),
    facts: facts(),
    upstreamRequests: () => srv.stats.total,
    failNext: () => srv.setFaults({ schedule: ["503"] }),
    unknownFields: noTrace,
  };
});

describe("Tron adapters", () => {
  it("TronGrid and a java-tron node give identical rows for every address", async () => {
    const srv = await server();
    const grid = gridSource(srv);
    const node = createTronNodeSource({ url: srv.url, rps: 2000, concurrency: 8 });
    const range = { fromBlock: 0, toBlock: s.tip.height };
    for (const a of s.tracked) {
      const rows = await grid.transfers(a, range);
      expect(rows.length, a).toBeGreaterThan(0);
      expect(await node.transfers(a, range)).toEqual(rows);
    }
    await Promise.all([grid.close(), node.close()]);
  });

  it("a reverted USDT call moves nothing; fake USDT is its own asset; TRX burned is a fee row", async () => {
    const srv = await server();
    const src = gridSource(srv);
    const { alice, bob } = s.addresses;
    const rows = await src.transfers(alice, { fromBlock: 0, toBlock: s.tip.height });
    const reverted = rows.filter((r) => r.txid === s.revertedUsdt);
    expect(reverted.map((r) => r.kind)).toEqual(["fee"]);
    expect(reverted[0]!.value).toBe(s.chain.tx(s.revertedUsdt)!.fee);
    expect(
      (await src.transfers(bob, { fromBlock: 0, toBlock: s.tip.height })).some(
        (r) => r.txid === s.revertedUsdt,
      ),
    ).toBe(false);
    const spam = rows.find((r) => r.txid === s.spam)!;
    expect(spam).toMatchObject({ kind: "token", asset: s.fakeUsdt.contract, symbol: "USDT", decimals: 6 });
    expect(spam.asset).not.toBe(s.usdt.contract);
    const real = rows.filter((r) => r.asset === s.usdt.contract);
    expect(real.length).toBeGreaterThan(2);
    expect(real.every((r) => r.symbol === "USDT" && r.decimals === 6)).toBe(true);
    await src.close();
  });

  it("sends the key only as the TRON-PRO-API-KEY header, never in a URL; a wrong key fails as UNAUTHORIZED", async () => {
    const srv = await server();
    srv.resetStats();
    const src = gridSource(srv);
    await src.transfers(s.addresses.bob, { fromBlock: 0, toBlock: s.tip.height });
    expect(srv.stats.requests.length).toBeGreaterThan(2);
    expect(srv.stats.requests.every((r) => r.keyed && !r.path.includes(KEY))).toBe(true);
    const wrong = gridSource(srv, { apiKey: "WRONG-key-123" });
    const err = await wrong
      .transfers(s.addresses.bob, { fromBlock: 0, toBlock: s.tip.height })
      .catch((e) => e);
    expect(err).toMatchObject({ code: "UNAUTHORIZED" });
    expect(String(err.message)).not.toContain("WRONG-key-123");
    await Promise.all([src.close(), wrong.close()]);
  });

  it("retries TronGrid's 403 'frequency limit' answer like a 429, and counts it", async () => {
    const srv = await server();
    const src = gridSource(srv);
    srv.setFaults({ schedule: ["ratelimit", "ratelimit"] });
    expect(await src.tip()).toEqual(s.tip);
    expect(src.counter.retries).toBe(2);
    expect(srv.stats.requests.filter((r) => r.status === 403)).toHaveLength(2);
    await src.close();
  });

  it("under 10% 429/503 answers gives the same rows and asks no answered page twice", async () => {
    const srv = await server();
    srv.resetStats();
    srv.setFaults({ rate: 0.1, kinds: ["429", "503"], seed: 5, retryAfter: 0 });
    try {
      const src = gridSource(srv);
      const dave = s.windowAddress;
      expect(await src.transfers(dave, { fromBlock: 0, toBlock: s.tip.height })).toEqual(s.expected(dave));
      expect(srv.stats.faulted).toBeGreaterThan(0);
      const served = srv.stats.requests.filter(
        (r) => r.outcome === "served" && r.path.includes("/v1/accounts/"),
      );
      const paths = served.map((r) => r.path);
      expect(new Set(paths).size).toBe(paths.length);
      await src.close();
    } finally {
      srv.setFaults(null);
    }
  });

  it("a TRC-20 transfer TronGrid lists but fundtrace cannot read from the logs is a gap of its block, never dropped silently", async () => {
    const c = new TronDevChain({ seed: "unindexed" });
    const [faucet, issuer, a, b] = ["faucet", "issuer", "A", "B"].map((x) => c.address(x)) as [
      string,
      string,
      string,
      string,
    ];
    c.fund(faucet, 10n ** 12n);
    const usdt = c.addToken({ contract: USDT_CONTRACT, symbol: "USDT", name: "Tether USD", decimals: 6 });
    // an old-style token whose Transfer event indexes nothing: TronGrid decodes it, the logs do not name A
    const old = c.addToken({ symbol: "OLD", name: "Old token", decimals: 0, unindexed: true });
    for (const x of [issuer, a]) c.sendTrx(faucet, x, 100_000_000n);
    c.mintToken(usdt, issuer, a, 5_000_000n);
    c.mintToken(old, issuer, a, 70n);
    c.mine();
    const oldTx = c.sendToken(old, a, b, 30n);
    c.sendToken(usdt, a, b, 2_000_000n);
    c.mine();
    c.mineEmpty(2);
    const srv = await startTronServer(c, { apiKey: KEY });
    servers.push(srv);
    const listed = (await (await fetch(`${srv.url}/v1/accounts/${a}/transactions/trc20`)).json()) as any;
    expect(listed.data.filter((x: any) => x.token_info.address === old.contract)).toHaveLength(2);
    const src = gridSource(srv);
    const gaps: SourceGap[] = [];
    const rows = await src.transfers(
      a,
      { fromBlock: 0, toBlock: c.head.number },
      { onGap: (g) => gaps.push(g) },
    );
    // every row fundtrace can read is there, the old token's are not invented
    expect(rows).toEqual(c.expected(a));
    expect(rows.some((r) => r.asset === old.contract)).toBe(false);
    expect(rows.filter((r) => r.asset === USDT_CONTRACT).map((r) => r.value)).toEqual([
      5_000_000n,
      2_000_000n,
    ]);
    // each of the two listed transfers is named as a gap of its own block
    expect(gaps).toHaveLength(2);
    const sent = gaps.find((g) => g.reason.includes(oldTx))!;
    expect(sent).toMatchObject({ address: a, kinds: ["token"], fromBlock: c.tx(oldTx)!.block });
    expect(sent.toBlock).toBe(sent.fromBlock);
    expect(sent.reason).toContain(`30 ${old.contract}`);
    await src.close();
  });
});
