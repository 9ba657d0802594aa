/**
 * A self-hosted java-tron node (its HTTP API) as an AccountSource for block ranges, as the EVM RPC
 * adapter is for an EVM node: the node has no account index, so `transfers` reads every block of the
 * range (`/wallet/getblockbynum`) and the TransactionInfo list of each block that has transactions
 * (`/wallet/gettransactioninfobyblocknum`), and keeps what touches the address. Rows are the TronGrid
 * adapter's (./rows.ts). TRC-20 symbol and decimals come from the token contract itself
 * (`/wallet/triggerconstantcontract`, once per token).
 *
 * The tip is `/wallet/getnowblock`, the newest block: a node does not say which blocks are final, so
 * the ingest's confirmation depth must cover TRON's 19 blocks (see docs/tron.md).
 */
import { AbiCoder } from "ethers";
import { tronFromHex, tronHex } from "../../src/chains.ts";
import type { AccountTransfer } from "../../src/domain.ts";
import { BadInputError } from "../../src/errors.ts";
import { memo } from "../memo.ts";
import type { AccountSource, BlockRange, Tip, TransfersOptions } from "../source.ts";
import { transfersInWindow, WindowBlocks } from "../time-window.ts";
import { Transport, type TransportOptions } from "../transport.ts";
import { TronApi } from "./api.ts";
import { parseTronJson } from "./json.ts";
import {
  type AssetMeta,
  checkTronInput,
  rowsOf,
  sortRows,
  TRANSFER_TOPIC,
  type TxFacts,
  trc10Ids,
} from "./rows.ts";
import type { Block, TxInfo } from "./schemas.ts";

export interface TronNodeSourceOptions extends Omit<TransportOptions, "source" | "baseUrl" | "secrets"> {
  /** The node's HTTP API, e.g. http://127.0.0.1:8090. */
  url: string;
  /** Widest block range one call scans; default 100,000. */
  maxScanBlocks?: number;
}

/** Blocks read at once. */
const SCAN_WINDOW = 32;

/** Does a transaction (its contract, internal frames or Transfer logs) name the account (41… hex)? */
function touches(hex: string, c: Record<string, unknown> | undefined, info: TxInfo | undefined): boolean {
  if (
    c &&
    [c.owner_address, c.to_address, c.contract_address].some((x) => String(x ?? "").toLowerCase() === hex)
  )
    return true;
  if (
    info?.internal_transactions?.some(
      (i) => i.caller_address.toLowerCase() === hex || i.transferTo_address.toLowerCase() === hex,
    )
  )
    return true;
  const w = hex.slice(2);
  return (info?.log ?? []).some(
    (l) => l.topics?.[0] === TRANSFER_TOPIC && l.topics.slice(1).some((t) => t.toLowerCase().endsWith(w)),
  );
}

export function createTronNodeSource(opts: TronNodeSourceOptions): AccountSource {
  const id = "java-tron";
  const { url, maxScanBlocks, ...rest } = opts;
  const max = maxScanBlocks ?? 100_000;
  const transport = new Transport({ ...rest, source: id, baseUrl: url });
  const api = new TronApi(id, transport);
  const trc10 = memo((tokenId: string) => api.trc10(tokenId));

  /** A constant call on a token contract (symbol(), decimals()); undefined when it does not answer. */
  async function constant(contract: string, fn: string, type: "string" | "uint8"): Promise<unknown> {
    const body = JSON.stringify({
      owner_address: tronHex(contract),
      contract_address: tronHex(contract),
      function_selector: fn,
      parameter: "",
    });
    const r = await transport.request("/wallet/triggerconstantcontract", {
      body,
      json: true,
      label: `${fn} of ${contract}`,
    });
    const j = parseTronJson(r.body) as { constant_result?: string[]; result?: { result?: boolean } };
    const out = j.constant_result?.[0];
    if (!out || j.result?.result === false) return undefined;
    try {
      return AbiCoder.defaultAbiCoder().decode([type], `0x${out}`)[0];
    } catch {
      return undefined;
    }
  }
  const token = memo(async (contract: string): Promise<AssetMeta> => {
    const [symbol, decimals] = await Promise.all([
      constant(contract, "symbol()", "string"),
      constant(contract, "decimals()", "uint8"),
    ]);
    return {
      symbol: typeof symbol === "string" ? symbol : null,
      decimals: decimals === undefined ? null : Number(decimals),
    };
  });

  async function blockFacts(hex: string, n: number): Promise<TxFacts[] | null> {
    const b: Block | undefined = await api.block(n, false);
    if (!b) return null;
    const txs = b.transactions ?? [];
    if (txs.length === 0) return [];
    const infos = await api.blockInfos(n);
    return txs.flatMap((t, txIndex) => {
      const c = t.raw_data.contract[0]!;
      const info = infos.find((i) => i.id === t.txID);
      if (!touches(hex, c.parameter.value, info)) return [];
      return [
        {
          txid: t.txID,
          block: n,
          txIndex,
          timestamp: b.block_header.raw_data.timestamp,
          contract: { type: c.type, value: c.parameter.value },
          contractRet: t.ret?.[0]?.contractRet ?? "SUCCESS",
          fee: info?.fee ?? 0n,
          info,
        },
      ];
    });
  }

  async function tip(): Promise<Tip> {
    const b = await api.nowBlock("/wallet/getnowblock");
    return { height: b.block_header.raw_data.number ?? 0, hash: b.blockID };
  }
  // a window narrows the blocks scanned (found by binary search over block times)
  const windows = new WindowBlocks({ tipHeight: async () => (await tip()).height, blockTime: api.blockTime });

  async function transfers(
    address: string,
    whole: BlockRange,
    o?: TransfersOptions,
  ): Promise<AccountTransfer[]> {
    const a = checkTronInput(address, whole);
    const range = await windows.narrow(whole, o?.window);
    if (!range) return [];
    if (range.toBlock - range.fromBlock + 1 > max)
      throw new BadInputError(
        `the node scan covers at most ${max} blocks; give a narrower --from-block/--to-block`,
      );
    const hex = tronHex(a);
    const facts: TxFacts[] = [];
    for (let s = range.fromBlock; s <= range.toBlock; s += SCAN_WINDOW) {
      const nums = Array.from({ length: Math.min(SCAN_WINDOW, range.toBlock - s + 1) }, (_, i) => s + i);
      const got = await Promise.all(nums.map((n) => blockFacts(hex, n)));
      for (const f of got) if (f) facts.push(...f);
      if (got.includes(null)) break; // above the tip
    }
    const tokens = new Map<string, AssetMeta>();
    const contracts = new Set<string>();
    for (const f of facts)
      for (const l of f.info?.log ?? [])
        if (l.topics?.[0] === TRANSFER_TOPIC) contracts.add(l.address.slice(-40));
    await Promise.all(
      [...contracts].map(async (c) => tokens.set(tronFromHex(c), await token(tronFromHex(c)))),
    );
    const ids = new Map<string, AssetMeta>();
    await Promise.all(trc10Ids(facts).map(async (i) => ids.set(i, await trc10(i))));
    const meta = { token: (c: string) => tokens.get(c), trc10: (i: string) => ids.get(i)! };
    return transfersInWindow(sortRows(facts.flatMap((f) => rowsOf(a, f, meta))), o?.window);
  }

  return {
    id,
    chain: "tron",
    model: "account",
    counter: transport.counter,
    tip,
    async blockHash(height: number) {
      const b = await api.block(height, false);
      return b ? b.blockID : null;
    },
    transfers,
    close: () => transport.close(),
  };
}
