/**
 * The EVM mapping against real third-party response bodies (test/fixtures/api-samples), and the
 * Etherscan envelope cases against a scripted server. No node is started here.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEtherscanSource, throttleCheck } from "../adapters/etherscan/index.ts";
import { decodeErc20Transfer, TRANSFER_TOPIC } from "../adapters/evm/encoding.ts";
import { listen } from "../src/listen.ts";
import { fixture } from "./helpers/fixtures.ts";

const sample = (path: string) => JSON.parse(readFileSync(fixture(`api-samples/${path}`), "utf8"));
const blockscout = (action: string) => sample(`etherscan-compatible/blockscout_docs_account_${action}.json`);

type Handler = (url: URL) => { status?: number; body: unknown } | undefined;

/** A scripted HTTP server: each request is answered by the handler (404 when it returns nothing). */
async function serve(handler: Handler) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push(url.pathname + url.search);
    const a = handler(url) ?? { status: 404, body: { message: "Not found" } };
    const text = JSON.stringify(a.body);
    res.writeHead(a.status ?? 200, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  });
  const { url, close } = await listen(server);
  return { url, seen, close };
}

const pad = (a: string) => `0x${"0".repeat(24)}${a.slice(2)}`;

describe("Blockscout samples through the adapter", () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  const tokentx = blockscout("tokentx");
  const mkr = tokentx.result[0];

  beforeAll(async () => {
    srv = await serve((url) => {
      const q = url.searchParams;
      if (url.pathname === "/api" && q.get("module") === "account") {
        const action = q.get("action")!;
        const a = q.get("address")?.toLowerCase();
        const s = blockscout(action);
        const touches = s.result.some(
          (r: Record<string, string>) => r.from === a || r.to === a || r.contractAddress === a,
        );
        const empty = { txlist: "No transactions found", txlistinternal: "No internal transactions found" }[
          action
        ];
        return {
          body: touches ? s : { message: empty ?? "No token transfers found", result: [], status: "0" },
        };
      }
      // The docs' tokentx sample predates Blockscout's logIndex field: the adapter reads the
      // transaction's logs. This log page is constructed from the sample's own fields.
      if (url.pathname === `/api/v2/transactions/${mkr.hash}/logs`) {
        return {
          body: {
            items: [
              {
                address: { hash: mkr.contractAddress },
                data: `0x${BigInt(mkr.value).toString(16).padStart(64, "0")}`,
                index: 41,
                topics: [TRANSFER_TOPIC, pad(mkr.from), pad(mkr.to), null],
              },
            ],
            next_page_params: null,
          },
        };
      }
      return undefined;
    });
  });
  afterAll(() => srv.close());

  const source = () =>
    createEtherscanSource({ baseUrl: srv.url, flavor: "blockscout", chain: "ethereum", rps: 1000 });
  const all = { fromBlock: 0, toBlock: 7_000_000 };

  it("maps txlist: a zero-value call is a fee row only, gasUsed × gasPrice", async () => {
    const tx = blockscout("txlist").result[0];
    expect(await source().transfers(tx.from, all)).toEqual([
      {
        chain: "ethereum",
        txid: tx.hash,
        kind: "fee",
        seq: 0,
        blockNumber: 65204,
        blockHash: null,
        blockTime: 1439232889,
        txIndex: 0,
        logIndex: null,
        traceAddress: null,
        from: tx.from,
        to: null,
        asset: "ETH",
        symbol: "ETH",
        decimals: 18,
        value: 122207n * 50_000_000_000n,
        success: true,
      },
    ]);
    expect(await source().transfers(tx.to, all)).toEqual([]);
  });

  it("maps tokentx (MKR, 18 decimals) with the log index from the transaction's logs", async () => {
    expect(await source().transfers(mkr.to, all)).toEqual([
      {
        chain: "ethereum",
        txid: mkr.hash,
        kind: "token",
        seq: 41,
        blockNumber: 5997843,
        blockHash: null,
        blockTime: 1532086946,
        txIndex: 27,
        logIndex: 41,
        traceAddress: null,
        from: mkr.from,
        to: mkr.to,
        asset: "0x9f8f72aa9304c8b593d555f12ef6589cc3a579a2",
        symbol: "MKR",
        decimals: 18,
        value: 10n * 10n ** 18n,
        success: true,
      },
    ]);
  });

  it("ignores a delegatecall from txlistinternal (it moves no value of its own)", async () => {
    const it0 = blockscout("txlistinternal").result[0];
    expect(it0.callType).toBe("delegatecall");
    expect(await source().transfers(it0.from, all)).toEqual([]);
  });
});

describe("JSON-RPC samples", () => {
  it("decodes the USDT Transfer of a mainnet receipt exactly", () => {
    const r = sample(
      "jsonrpc/eth_getTransactionReceipt_mainnet_0xcd718a69_usdt_transfer.getblock-docs.json",
    ).result;
    const usdt = r.logs
      .map(decodeErc20Transfer)
      .find((t: { token: string } | undefined) => t?.token === "0xdac17f958d2ee523a2206206994597c13d831ec7");
    expect(usdt).toEqual({
      token: "0xdac17f958d2ee523a2206206994597c13d831ec7",
      from: "0xa82f91562e1cef9dec93a4ad328d01ea7827910a",
      to: "0x901c7c311d39e0b26257219765e71e8db3107a81",
      value: 0x103f1bfefn,
      logIndex: 0x24e,
    });
  });

  it("finds the 18 ERC-20 Transfers among 68 logs of an eth_getLogs answer", () => {
    const logs = sample("jsonrpc/eth_getLogs_avalanche_c_chain_erc20_transfers.getblock-docs.json").result;
    const transfers = logs.map(decodeErc20Transfer).filter(Boolean);
    expect(logs).toHaveLength(68);
    expect(transfers).toHaveLength(18);
    expect(transfers[0]).toMatchObject({
      token: "0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e",
      value: 0x12f44b80n,
      logIndex: 0,
    });
  });
});

describe("Etherscan envelope handling", () => {
  const addr = "0x4e83362442b8d1bec281594cea3050c8eb01311c";

  it("treats rate-limit answers inside a 200 as throttling", () => {
    for (const body of [
      { status: "0", message: "NOTOK", result: "Max rate limit reached" },
      { status: "0", message: "NOTOK", result: "Max calls per sec rate limit reached (5/sec)" },
      { message: "Max rate limit reached", result: null, status: "0" },
    ])
      expect(throttleCheck(JSON.stringify(body))).toEqual({ throttled: true });
    expect(
      throttleCheck(JSON.stringify({ status: "0", message: "No transactions found", result: [] })),
    ).toBeUndefined();
    expect(throttleCheck(JSON.stringify({ status: "1", message: "OK", result: [] }))).toBeUndefined();
  });

  it("types string results: a refused key, an invalid address, other errors", async () => {
    let answer: unknown;
    const srv = await serve(() => ({ body: answer }));
    try {
      const src = createEtherscanSource({ baseUrl: srv.url, apiKey: "k-0123456789", rps: 1000 });
      const run = () => src.transfers(addr, { fromBlock: 0, toBlock: 10 });
      answer = { status: "0", message: "NOTOK", result: "Invalid API Key" };
      await expect(run()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      answer = { status: "0", message: "NOTOK", result: "Error! Invalid address format" };
      await expect(run()).rejects.toMatchObject({ code: "INVALID_ADDRESS" });
      answer = { status: "0", message: "NOTOK", result: "Error! Something unexpected k-0123456789" };
      const e = (await run().catch((x: unknown) => x)) as Error;
      expect(e).toMatchObject({ code: "UPSTREAM_FAILED" });
      expect(e.message).not.toContain("k-0123456789");
      answer = { status: "0", message: "No transactions found", result: [] };
      expect(await run()).toEqual([]);
      expect(srv.seen.every((p) => p.startsWith("/v2/api?") && p.includes("chainid=1"))).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it("splits the block range when the API answers 'Query Timeout'", async () => {
    const srv = await serve((url) => {
      const q = url.searchParams;
      const span = Number(q.get("endblock")) - Number(q.get("startblock")) + 1;
      if (span > 4)
        return {
          body: {
            status: "0",
            message: "NOTOK",
            result: "Query Timeout occured. Please select a smaller result dataset",
          },
        };
      return { body: { status: "0", message: "No transactions found", result: [] } };
    });
    try {
      const src = createEtherscanSource({ baseUrl: srv.url, rps: 1000 });
      expect(await src.transfers(addr, { fromBlock: 0, toBlock: 15 })).toEqual([]);
      const ranges = srv.seen
        .map((p) => new URL(p, "http://x").searchParams)
        .filter((q) => q.get("action") === "txlist")
        .map((q) => `${q.get("startblock")}-${q.get("endblock")}`);
      expect(ranges).toEqual(["0-15", "0-7", "0-3", "4-7", "8-15", "8-11", "12-15"]);
    } finally {
      await srv.close();
    }
  });
});
