/**
 * Etherscan-style list records → rows (through the shared EVM row builders, so they equal the JSON-RPC
 * adapter's):
 * - txlist: the native move and the fee (Etherscan's txlist gasPrice is the effective price);
 * - txlistinternal: seq is the call's position among its transaction's value-carrying calls, which
 *   needs the whole transaction's list (`txlistinternal&txhash=`), since the address listing only holds
 *   the calls touching the address; its tx index and status come from txlist when the transaction is
 *   there, else from the dialect's lookup;
 * - tokentx: the log index from the record when the API gives it (Blockscout since 2023), else from the
 *   transaction's logs, matching (token, from, to, value) in log order.
 */
import type { AccountTransfer } from "../../src/domain.ts";
import { decodeErc20Transfer } from "../evm/encoding.ts";
import { internalRow, type NativeAsset, type TxPlace, tokenRow, topLevelRows } from "../evm/rows.ts";
import { memo } from "../memo.ts";
import type { EtherscanApi } from "./api.ts";
import type { ChainLookups } from "./dialects.ts";
import { InternalItem, TokenItem, TxItem } from "./schemas.ts";

type TxInfo = { txIndex: number; success: boolean };

const isCall = (i: InternalItem) =>
  i.type.toLowerCase() === "call" && (i.callType === undefined || i.callType === "" || i.callType === "call");
const isValueCall = (i: InternalItem) => isCall(i) && BigInt(i.value) > 0n;

/** Groups records by transaction hash (lower case), keeping their order. */
function byTx<T>(items: T[], hashOf: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const h = hashOf(t);
    const list = m.get(h) ?? [];
    list.push(t);
    m.set(h, list);
  }
  return m;
}

/** The k-th record with a key equal to `key` among `items` (the k-th such record the address saw). */
function nthMatch<T>(items: T[], keyOf: (t: T) => string, key: string, k: number): number {
  for (let n = 0, j = 0; j < items.length; j++) if (keyOf(items[j]!) === key && n++ === k) return j;
  return -1;
}

export class EtherscanMapper {
  /** All internal transactions of one transaction, in the API's order. */
  private readonly callsOfTx = memo(async (hash: string): Promise<InternalItem[]> => {
    const { j } = await this.api.envelope(
      "account",
      "txlistinternal",
      { txhash: hash },
      { store: true, reuse: true },
    );
    if (!Array.isArray(j.result)) throw this.api.failure(`txlistinternal of ${hash}`, j);
    return j.result.map((x) => this.api.parse(InternalItem, x, "internal transaction"));
  });

  constructor(
    private readonly api: EtherscanApi,
    private readonly lookups: ChainLookups,
    private readonly chain: string,
    private readonly native: NativeAsset,
  ) {}

  /** Native and fee rows from txlist; fills `known` with each transaction's index and status. */
  txRows(address: string, raw: unknown[], known: Map<string, TxInfo>): AccountTransfer[] {
    const rows: AccountTransfer[] = [];
    for (const r of raw) {
      const t: TxItem = this.api.parse(TxItem, r, "txlist");
      const hash = t.hash.toLowerCase();
      if (known.has(hash)) continue;
      const success = t.isError === "0" && t.txreceipt_status !== "0";
      const place = this.place(hash, t.blockNumber, t.timeStamp, Number(t.transactionIndex));
      known.set(hash, { txIndex: place.txIndex, success });
      const to = (t.to === "" ? t.contractAddress || "" : t.to).toLowerCase() || null;
      rows.push(
        ...topLevelRows(address, place, this.native, {
          from: t.from.toLowerCase(),
          to,
          value: BigInt(t.value),
          success,
          fee: () => BigInt(t.gasUsed) * BigInt(t.gasPrice),
        }),
      );
    }
    return rows;
  }

  /** Internal rows: the address's value-carrying calls, each placed in its transaction's own list. */
  async internalRows(raw: unknown[], known: Map<string, TxInfo>): Promise<AccountTransfer[]> {
    const mine: InternalItem[] = [];
    const seen = new Set<string>();
    for (const r of raw) {
      const i = this.api.parse(InternalItem, r, "txlistinternal");
      const hash = (i.hash ?? i.transactionHash)?.toLowerCase();
      if (!hash)
        throw this.api.error("internal transaction without a transaction hash", new Error(JSON.stringify(r)));
      if (!isValueCall(i)) continue;
      // A call from the address to itself may be listed once per side.
      const ident = i.traceId ?? i.index;
      if (ident !== undefined && seen.has(`${hash}:${ident}`)) continue;
      if (ident !== undefined) seen.add(`${hash}:${ident}`);
      mine.push({ ...i, hash });
    }
    const groups = byTx(mine, (i) => i.hash!);
    const rows = await Promise.all([...groups].map(([hash, calls]) => this.internalOfTx(hash, calls, known)));
    return rows.flat();
  }

  private async internalOfTx(hash: string, mine: InternalItem[], known: Map<string, TxInfo>) {
    const d = this.api.dialect;
    const full = d.orderCalls((await this.callsOfTx(hash)).filter(isValueCall));
    const info = known.get(hash) ?? (await this.lookups.txInfo(hash));
    const keyOf = (x: InternalItem) => `${x.from}|${x.to}|${x.value}`.toLowerCase();
    const nth = new Map<string, number>();
    const used = new Set<number>();
    return mine.map((i) => {
      let pos = d.position(full, i);
      if (pos === undefined) {
        // The k-th (from, to, value) call touching the address is the k-th such call of the tx.
        const k = nth.get(keyOf(i)) ?? 0;
        nth.set(keyOf(i), k + 1);
        pos = nthMatch(full, keyOf, keyOf(i), k);
      }
      if (pos < 0 || used.has(pos))
        throw this.api.error(
          `internal transfer of ${hash} not found in the transaction's own listing`,
          new Error(`${full.length} value-carrying calls listed for the transaction`),
        );
      used.add(pos);
      return internalRow(this.place(hash, i.blockNumber, i.timeStamp, info.txIndex), this.native, {
        seq: pos,
        traceAddress: d.traceAddress(i),
        from: i.from.toLowerCase(),
        to: i.to.toLowerCase() || null,
        value: BigInt(i.value),
        success: i.isError === "0" && info.success,
      });
    });
  }

  /** Token rows; a transfer from the address to itself, listed once per side by some explorers, counts once. */
  async tokenRows(raw: unknown[]): Promise<AccountTransfer[]> {
    const groups = byTx(
      raw.map((r) => this.api.parse(TokenItem, r, "tokentx")),
      (t) => t.hash.toLowerCase(),
    );
    const perTx = await Promise.all(
      [...groups].map(async ([hash, mine]) => {
        const indexes = await this.logIndexes(hash, mine);
        const seen = new Set<number>();
        return mine.flatMap((t, n) => {
          const logIndex = indexes[n]!;
          if (seen.has(logIndex)) return [];
          seen.add(logIndex);
          const decimals = typeof t.tokenDecimal === "string" && /^[0-9]+$/.test(t.tokenDecimal);
          const place = this.place(hash, t.blockNumber, t.timeStamp, Number(t.transactionIndex));
          return [
            tokenRow(place, {
              logIndex,
              token: t.contractAddress.toLowerCase(),
              symbol: t.tokenSymbol || null,
              decimals: decimals ? Number(t.tokenDecimal) : null,
              from: t.from.toLowerCase(),
              to: t.to.toLowerCase(),
              value: BigInt(t.value),
            }),
          ];
        });
      }),
    );
    return perTx.flat();
  }

  /** Each record's log index: its own, or the k-th matching Transfer log of the transaction. */
  private async logIndexes(hash: string, mine: TokenItem[]): Promise<number[]> {
    if (mine.every((t) => t.logIndex !== undefined)) return mine.map((t) => Number(t.logIndex));
    const logs = (await this.lookups.logsOf(hash))
      .map((l) => decodeErc20Transfer(l))
      .filter((l): l is NonNullable<typeof l> => l !== undefined);
    const keyOf = (l: { token: string; from: string; to: string; value: bigint | string }) =>
      `${l.token}|${l.from}|${l.to}|${l.value}`.toLowerCase();
    const nth = new Map<string, number>();
    return mine.map((t) => {
      const key = keyOf({ token: t.contractAddress, from: t.from, to: t.to, value: t.value });
      const k = nth.get(key) ?? 0;
      nth.set(key, k + 1);
      const at = nthMatch(logs, keyOf, key, k);
      if (at < 0)
        throw this.api.error(
          `token transfer of ${hash} not found in its receipt`,
          new Error(`${logs.length} Transfer logs`),
        );
      return t.logIndex !== undefined ? Number(t.logIndex) : logs[at]!.logIndex;
    });
  }

  private place(txid: string, blockNumber: string, timeStamp: string, txIndex: number): TxPlace {
    return {
      chain: this.chain,
      txid,
      blockNumber: Number(blockNumber),
      blockTime: Number(timeStamp),
      txIndex,
    };
  }
}
