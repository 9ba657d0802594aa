/**
 * An account's history from TronGrid's two v1 lists, newest first, held for the calls that follow.
 *
 * The lists page by `fingerprint` only and carry no block range, so one walk reads both lists from the
 * newest confirmed item down to the first item below the range asked for, and every later call for a
 * block range it covers (the ingest's next chunks, a trace) is answered from it: a page is asked once.
 * A page asked with a fingerprint lists only items older than a position in a confirmed history, so it
 * cannot change: it is stored and never asked again, even by a later run. The first page is where
 * anything new appears: a rerun with nothing new asks one page of each list.
 *
 * Placing items: transaction items carry their block; TRC-20 items carry it in `detail` where the host
 * honours get_detail=true; otherwise (and for internal rows) the transaction's info gives the block,
 * never the timestamp. Each block's TransactionInfo list gives the order inside the block and every
 * log and internal transfer.
 */
import type { AccountTransfer } from "../../src/domain.ts";
import { memo } from "../memo.ts";
import type { SourceGap } from "../source.ts";
import type { TronApi } from "./api.ts";
import { type AssetMeta, rowsOf, succeeded, type TxFacts, trc10Ids } from "./rows.ts";
import { type TxInfo, V1InternalRow, V1Trc20, V1Tx } from "./schemas.ts";

export interface HistoryOptions {
  /** Items per page; TronGrid's maximum is 200. */
  pageSize: number;
}

interface Trc20Item {
  contract: string;
  from: string;
  to: string;
  value: bigint;
}

/** What the walk found, by transaction. */
export class History {
  readonly txs = new Map<string, V1Tx>();
  readonly blockOf = new Map<string, number>();
  readonly trc20 = new Map<string, Trc20Item[]>();
  readonly tokens = new Map<string, AssetMeta>();
  /** Pages asked (for the per-address request count). */
  pages = 0;

  constructor(
    readonly address: string,
    /** Lowest block the walk went down to. */
    readonly from: number,
    /** Highest block it holds (the confirmed tip when it started). */
    readonly coverTo: number,
  ) {}

  covers(fromBlock: number, toBlock: number): boolean {
    return fromBlock >= this.from && toBlock <= this.coverTo;
  }
}

export class HistoryReader {
  /** TRC-10 metadata, asked once per token for the source's life. */
  readonly trc10: (id: string) => Promise<AssetMeta>;

  constructor(
    private readonly api: TronApi,
    private readonly opts: HistoryOptions,
  ) {
    this.trc10 = memo((id: string) => api.trc10(id));
  }

  /** Walks both lists down past `from`, keeping what lies in [from, coverTo]. */
  async walk(address: string, from: number, coverTo: number): Promise<History> {
    const h = new History(address, from, coverTo);
    // one info request per transaction even when both lists name it (stored: a rerun asks none)
    const txInfo = memo((id: string) => this.api.txInfo(id));
    const blockOfTx = async (txid: string) => {
      const info = await txInfo(txid);
      if (!info)
        throw this.api.error(
          `TronGrid lists transaction ${txid}, which its node does not know`,
          new Error("{}"),
        );
      return info.blockNumber;
    };
    await Promise.all([
      this.list(h, `/v1/accounts/${address}/transactions`, (x) => this.txItem(h, x, blockOfTx)),
      // get_detail: the transaction (with its block) inside each item, where the host gives it
      this.list(h, `/v1/accounts/${address}/transactions/trc20`, (x) => this.trc20Item(h, x, blockOfTx), {
        get_detail: "true",
      }),
    ]);
    return h;
  }

  /** Pages one list newest first until an item lies below the range; `place` gives an item's block. */
  private async list(
    h: History,
    path: string,
    place: (item: unknown) => Promise<number>,
    extra: Record<string, string> = {},
  ): Promise<void> {
    let fingerprint: string | undefined;
    for (;;) {
      const query = { only_confirmed: "true", limit: this.opts.pageSize, ...extra, fingerprint };
      const page = await this.api.page(path, query, fingerprint !== undefined);
      h.pages++;
      const blocks = await Promise.all(page.data.map(place));
      if (blocks.some((b) => b < h.from)) return;
      fingerprint = page.meta.fingerprint;
      if (!fingerprint || page.data.length === 0) return;
    }
  }

  private keep(h: History, txid: string, block: number): boolean {
    if (block < h.from || block > h.coverTo) return false;
    h.blockOf.set(txid, block);
    return true;
  }

  private async txItem(
    h: History,
    x: unknown,
    blockOfTx: (txid: string) => Promise<number>,
  ): Promise<number> {
    const o = x as Record<string, unknown>;
    if (o && typeof o === "object" && "internal_tx_id" in o) {
      const row = this.api.parse(V1InternalRow, x, "internal transaction row");
      const block = await blockOfTx(row.tx_id);
      this.keep(h, row.tx_id, block);
      return block;
    }
    const t = this.api.parse(V1Tx, x, "transaction item");
    if (this.keep(h, t.txID, t.blockNumber)) h.txs.set(t.txID, t);
    return t.blockNumber;
  }

  private async trc20Item(
    h: History,
    x: unknown,
    blockOfTx: (txid: string) => Promise<number>,
  ): Promise<number> {
    const t = this.api.parse(V1Trc20, x, "TRC-20 item");
    const block = t.detail?.blockNumber ?? (await blockOfTx(t.transaction_id));
    if (t.type !== "Transfer" || !this.keep(h, t.transaction_id, block)) return block;
    const i = t.token_info;
    h.tokens.set(i.address, { symbol: i.symbol ?? null, decimals: i.decimals ?? null });
    const list = h.trc20.get(t.transaction_id) ?? [];
    list.push({ contract: i.address, from: t.from, to: t.to, value: BigInt(t.value) });
    h.trc20.set(t.transaction_id, list);
    return block;
  }

  /** The rows of the history's transactions in [fromBlock, toBlock], placed by their blocks' info lists. */
  async rows(
    h: History,
    fromBlock: number,
    toBlock: number,
    onGap?: (g: SourceGap) => void,
  ): Promise<AccountTransfer[]> {
    const txids = [...h.blockOf].filter(([, b]) => b >= fromBlock && b <= toBlock);
    const blocks = [...new Set(txids.map(([, b]) => b))];
    const infos = new Map<number, TxInfo[]>();
    await Promise.all(blocks.map(async (b) => infos.set(b, await this.api.blockInfos(b))));
    const facts: TxFacts[] = txids.map(([txid, block]) => {
      const list = infos.get(block)!;
      const txIndex = list.findIndex((i) => i.id === txid);
      if (txIndex < 0)
        throw this.api.error(
          `block ${block} does not hold transaction ${txid}`,
          new Error("not in the block's info list"),
        );
      const t = h.txs.get(txid);
      const c = t?.raw_data.contract[0];
      return {
        txid,
        block,
        txIndex,
        timestamp: t?.block_timestamp ?? list[txIndex]!.blockTimeStamp,
        contract: c && { type: c.type, value: c.parameter.value },
        contractRet: t?.ret?.[0]?.contractRet,
        fee: t?.ret?.[0]?.fee,
        info: list[txIndex],
      };
    });
    const trc10 = new Map<string, AssetMeta>();
    await Promise.all(trc10Ids(facts).map(async (id) => trc10.set(id, await this.trc10(id))));
    const meta = { token: (c: string) => h.tokens.get(c), trc10: (id: string) => trc10.get(id)! };
    const rows = facts.flatMap((f) => rowsOf(h.address, f, meta));
    for (const g of this.unmatched(h, rows, facts)) onGap?.(g);
    return rows;
  }

  /**
   * Every TRC-20 transfer TronGrid listed for a successful transaction should be one of its Transfer
   * logs. One that is not (a token whose event fundtrace does not read) is reported as a gap of that
   * block, never dropped silently.
   */
  private unmatched(h: History, rows: AccountTransfer[], facts: TxFacts[]): SourceGap[] {
    const tokenRows = new Map<string, AccountTransfer[]>();
    for (const r of rows)
      if (r.kind === "token") tokenRows.set(r.txid, [...(tokenRows.get(r.txid) ?? []), r]);
    const gaps: SourceGap[] = [];
    for (const f of facts) {
      const listed = h.trc20.get(f.txid);
      // a failed call's listed transfer moved nothing: it has no log and no row
      if (!listed || !succeeded(f)) continue;
      const logs = tokenRows.get(f.txid) ?? [];
      for (const l of listed)
        if (
          !logs.some(
            (r) => r.asset === l.contract && r.from === l.from && r.to === l.to && r.value === l.value,
          )
        )
          gaps.push({
            address: h.address,
            fromBlock: f.block,
            toBlock: f.block,
            kinds: ["token"],
            reason: `TronGrid lists a transfer of ${l.value} ${l.contract} in ${f.txid} that its logs do not show`,
          });
    }
    return gaps;
  }
}
