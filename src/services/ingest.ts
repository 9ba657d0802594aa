import { z } from "zod";
import {
  type AccountSource,
  type ChainSource,
  describeGap,
  mergeGaps,
  type SourceGap,
  type TimeWindow,
  type Tip,
  type UtxoSource,
} from "../../adapters/source.ts";
import { getChain, normalizeAddress } from "../chains.ts";
import { isoTime } from "../core/time.ts";
import type { AccountTransfer, SpentBy, UtxoTx } from "../domain.ts";
import { BadInputError, FundtraceError } from "../errors.ts";
import { AccountStore } from "../store/accounts.ts";
import type { Store } from "../store/db.ts";
import { SyncStore } from "../store/sync.ts";
import { UtxoStore } from "../store/utxo.ts";
import { checkWindow, timeWindowFields } from "./trace-input.ts";

export type IngestProgress = (done: number, total: number, what: string) => void;

/** A part of a history the source could not cover, with the one wording CLI and API both show. */
export type ReportedGap = SourceGap & { message: string };

export function reportGaps(gaps: readonly SourceGap[]): ReportedGap[] {
  return mergeGaps(gaps).map((g) => ({ ...g, message: describeGap(g) }));
}

/** One "note:" line per gap, for text output. */
export function gapNotes(gaps: readonly ReportedGap[]): string {
  return gaps.map((g) => `note: ${g.message}\n`).join("");
}

export interface AddressIngestResult {
  address: string;
  /** Confirmed transactions written (new or changed block). */
  written: number;
  /** Unconfirmed transactions written. */
  mempool: number;
  /** Transactions removed or re-fetched because they left their block (reorg) or the mempool. */
  corrected: number;
  /** Account chains: transfers written and the block range covered. */
  transfers?: number;
  blocks?: { from: number; to: number };
  /** Account chains: what the source could not see (e.g. internal transfers on a node without tracing). */
  gaps?: ReportedGap[];
  pages: number;
  upToDate: boolean;
  /**
   * Whether the address's whole history is stored: false after an ingest restricted to a time window
   * of an address never ingested in full (it is then not taken as ingested: never a false clean).
   */
  complete: boolean;
  /** Why the stored history is partial (ingested for a time window only), when it is. */
  partial?: string;
}

/** A time window as asked and shown (UTC ISO 8601; null: open). */
export interface ShownWindow {
  since: string | null;
  until: string | null;
}

export interface IngestResult {
  chain: string;
  source: string;
  /** With since/until: only transactions in blocks of this window were stored. */
  window?: ShownWindow;
  addresses: AddressIngestResult[];
  requests: number;
  retries: number;
  /** Every address's gaps: what is missing from the stored histories. */
  gaps: ReportedGap[];
}

export const MAX_INGEST_ADDRESSES = 1000;

/** What an ingest may be asked besides its chain and addresses. */
export interface IngestOptions {
  /** Only transactions in blocks from this UTC date (2024-03-01) or ISO 8601 time. */
  since?: string;
  /** Only transactions in blocks up to this time (a bare date: to the end of that day). */
  until?: string;
}

/** The one definition of an ingest request: POST /v1/ingest's body (the CLI checks its flags with checkIngestInput). */
export const IngestFields = z.object({
  chain: z.string().min(1).describe("bitcoin, ethereum (or another EVM chain by name), tron"),
  addresses: z.array(z.string().min(1).max(256)).min(1).max(MAX_INGEST_ADDRESSES),
  ...timeWindowFields("are stored; the addresses are then not marked as fully ingested"),
});

export type IngestInput = { chain: string; addresses: string[] } & IngestOptions;

/**
 * Checks an ingest request before anything is fetched (bad input changes nothing): chain, addresses
 * (normalized) and the time window, its errors naming the bounds as the caller calls them.
 */
export function checkIngestInput(raw: IngestInput, names?: { since: string; until: string }): IngestInput {
  checkWindow(raw.since, raw.until, names);
  return { ...raw, ...validateIngestInput(raw.chain, raw.addresses) };
}

export const IngestInputSchema = IngestFields.transform((v, ctx) => {
  try {
    return checkIngestInput(v);
  } catch (error) {
    if (!(error instanceof FundtraceError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message, params: { error } });
    return z.NEVER;
  }
});

/** The window of an ingest (undefined: the whole history). */
function windowOf(o: IngestOptions): TimeWindow | undefined {
  const w = checkWindow(o.since, o.until);
  return w.since === null && w.until === null ? undefined : w;
}

const shown = (w: TimeWindow): ShownWindow => ({ since: isoTime(w.since), until: isoTime(w.until) });

/** How a windowed ingest leaves an address's history, in one sentence (CLI note, API `partial`). */
export function windowedNote(w: ShownWindow): string {
  const span = [w.since && `from ${w.since}`, w.until && `to ${w.until}`].filter(Boolean).join(" ");
  return `only transactions ${span} are stored (a time window): the history is partial and the address is not marked as ingested until an ingest without since/until`;
}

/** Validates a batch before anything is fetched: bad input changes nothing. */
export function validateIngestInput(
  chain: string,
  addresses: string[],
): { chain: string; addresses: string[] } {
  const c = getChain(chain);
  if (c.labelOnly) throw new BadInputError(`chain "${c.name}" has labels only; no adapter ingests it yet`);
  if (addresses.length === 0) throw new BadInputError("give at least one address to ingest");
  if (addresses.length > MAX_INGEST_ADDRESSES) {
    throw new BadInputError(
      `too many addresses: ${addresses.length} (max ${MAX_INGEST_ADDRESSES})`,
      {},
      "LIMIT_EXCEEDED",
    );
  }
  return { chain: c.name, addresses: [...new Set(addresses.map((a) => normalizeAddress(c.name, a)))] };
}

/** Pulls address histories through a chain source into the store; incremental, idempotent, crash-safe. */
export class IngestService {
  private readonly utxo: UtxoStore;
  private readonly accounts: AccountStore;
  private readonly sync: SyncStore;

  constructor(
    private readonly store: Store,
    private readonly sourceFor: (chain: string) => ChainSource,
    private readonly evm: {
      confirmations: number;
      chunkBlocks: number;
      fromBlock?: number;
      toBlock?: number;
    } = {
      confirmations: 12,
      chunkBlocks: 100_000,
    },
  ) {
    this.utxo = new UtxoStore(store);
    this.accounts = new AccountStore(store);
    this.sync = new SyncStore(store);
  }

  async ingest(
    chain: string,
    addresses: string[],
    progress?: IngestProgress,
    opts: IngestOptions = {},
  ): Promise<IngestResult> {
    const input = validateIngestInput(chain, addresses);
    const window = windowOf(opts);
    const src = this.sourceFor(input.chain);
    const before = { requests: src.counter.requests, retries: src.counter.retries };
    const results: AddressIngestResult[] = [];
    // account chains: one tip for the whole run, so a rerun with nothing new costs each address only
    // its own requests (what is newer is picked up by the next run)
    let tip: Promise<Tip> | undefined;
    const tipOnce = (s: AccountSource) => {
      tip ??= s.tip();
      return tip;
    };
    progress?.(0, input.addresses.length, "starting");
    for (const [i, a] of input.addresses.entries()) {
      const note = (n: number) =>
        progress?.(i, input.addresses.length, `${a}: ${n} ${src.model === "utxo" ? "txs" : "blocks"}`);
      results.push(
        src.model === "utxo"
          ? await this.ingestUtxoAddress(src, a, note, window)
          : await this.ingestAccountAddress(src, a, note, await tipOnce(src), window),
      );
      progress?.(i + 1, input.addresses.length, a);
    }
    return {
      chain: input.chain,
      source: src.id,
      ...(window ? { window: shown(window) } : {}),
      addresses: results,
      requests: src.counter.requests - before.requests,
      retries: src.counter.retries - before.retries,
      gaps: results.flatMap((r) => r.gaps ?? []),
    };
  }

  /**
   * Account chains: every transfer of the address from the block after its cursor up to the tip less
   * the confirmation depth (so reorgs cannot change what is stored), in chunks of blocks; each chunk
   * and the cursor move land in one transaction, so a killed run resumes where it stopped. With a
   * time window only its transfers are written and the cursor does not move (the history stays
   * partial); what a full run stored below the cursor is not asked again.
   */
  async ingestAccountAddress(
    src: AccountSource,
    address: string,
    onBlocks?: (n: number) => void,
    knownTip?: Tip,
    window?: TimeWindow,
  ): Promise<AddressIngestResult> {
    const chain = src.chain;
    const cur = await this.sync.cursor(src.id, chain, address);
    const done =
      cur?.cursor === undefined || cur.cursor === null ? (this.evm.fromBlock ?? 0) - 1 : Number(cur.cursor);
    const tip = knownTip ?? (await src.tip());
    const to = Math.min(this.evm.toBlock ?? Number.MAX_SAFE_INTEGER, tip.height - this.evm.confirmations);
    let transfers = 0;
    let pages = 0;
    const gaps: SourceGap[] = [];
    const from = done + 1;
    for (let start = from; start <= to; start += this.evm.chunkBlocks) {
      const end = Math.min(to, start + this.evm.chunkBlocks - 1);
      const rows = await src.transfers(
        address,
        { fromBlock: start, toBlock: end },
        { onGap: (g) => gaps.push(g), window },
      );
      pages++;
      const cursor = window ? null : { block: end, tipHeight: tip.height };
      await this.writeAccountChunk(src.id, chain, address, rows, cursor);
      transfers += rows.length;
      onBlocks?.(end - from + 1);
    }
    return {
      address,
      written: transfers,
      mempool: 0,
      corrected: 0,
      pages,
      upToDate: transfers === 0,
      transfers,
      blocks: { from, to: Math.max(done, to) },
      gaps: reportGaps(gaps),
      ...(await this.coverage(src.id, chain, address, cur !== undefined, window)),
    };
  }

  /**
   * After a windowed ingest: the window recorded as what the stored history covers, and the result
   * saying the history is partial, unless an earlier full ingest had stored it all.
   */
  private async coverage(
    source: string,
    chain: string,
    address: string,
    hadCursor: boolean,
    window: TimeWindow | undefined,
  ): Promise<Pick<AddressIngestResult, "complete" | "partial">> {
    if (!window || hadCursor) return { complete: true };
    await this.sync.addWindow(source, chain, address, window);
    return { complete: false, partial: windowedNote(shown(window)) };
  }

  /**
   * One chunk of an account history with the cursor after it (none: a windowed ingest), in one
   * transaction (the ingest bench times this).
   */
  async writeAccountChunk(
    source: string,
    chain: string,
    address: string,
    rows: readonly AccountTransfer[],
    cursor: { block: number; tipHeight: number } | null,
  ): Promise<void> {
    await this.store.tx(async () => {
      await this.accounts.writeTransfers(rows);
      if (cursor)
        await this.sync.setCursor(source, chain, address, {
          cursor: String(cursor.block),
          tipHeight: cursor.tipHeight,
        });
    });
  }

  /** A batch of transactions with their spends, in one transaction: a crash never leaves half a tx. */
  async writeUtxoBatch(txs: readonly UtxoTx[], outspends: readonly Outspends[]): Promise<void> {
    await this.store.tx(() => this.utxo.writeTxs(txs, outspends));
  }

  private async fetchAndWrite(src: UtxoSource, txs: UtxoTx[], withOutspends: boolean): Promise<void> {
    await this.writeUtxoBatch(txs, await fetchOutspends(src, txs, withOutspends));
  }

  /**
   * Newest first: walk pages until the transaction the last complete run ended at (the cursor),
   * write what is new or moved to another block, then check stored recent/unconfirmed ones (reorgs,
   * replaced mempool txs). The cursor moves only after everything is written. With a time window the
   * source gives only the window's transactions and stops paging past its start; the cursor does not
   * move (the history stays partial).
   */
  async ingestUtxoAddress(
    src: UtxoSource,
    address: string,
    onTxs?: (n: number) => void,
    window?: TimeWindow,
  ): Promise<AddressIngestResult> {
    const chain = src.chain;
    const cur = await this.sync.cursor(src.id, chain, address);
    const head = cur?.cursor ?? null;
    let page = await src.addressHistory(address, null, { window });
    const mempool = page.mempool ?? [];
    let pages = 1;
    let reachedHead = false;
    let written = 0;
    const seen = new Set<string>(mempool.map((t) => t.txid));
    let oldestWalked: number | undefined;
    const newest = page.items[0]?.txid ?? head;
    const batch = new UtxoBatchWriter((txs, outs) => this.writeUtxoBatch(txs, outs));
    for (;;) {
      const states = await this.utxo.txStates(
        chain,
        page.items.map((t) => t.txid),
      );
      const fresh: UtxoTx[] = [];
      for (const t of page.items) {
        const st = states.get(t.txid);
        const same = st?.confirmed === true && st.blockHash === t.block?.hash;
        if (head !== null && t.txid === head && same) {
          reachedHead = true;
          break;
        }
        seen.add(t.txid);
        oldestWalked = t.block!.height;
        if (!same) fresh.push(t);
      }
      if (fresh.length) await batch.add(fresh, await fetchOutspends(src, fresh, true));
      written += fresh.length;
      onTxs?.(seen.size);
      if (reachedHead || page.next === null) break;
      page = await src.addressHistory(address, page.next, { window });
      pages++;
    }
    await batch.flush();

    const memStates = await this.utxo.txStates(
      chain,
      mempool.map((t) => t.txid),
    );
    const memFresh = mempool.filter((t) => memStates.get(t.txid)?.confirmed !== false);
    if (memFresh.length) await this.fetchAndWrite(src, memFresh, false);

    // Stored txs of this address that should have been seen but were not: re-fetch and correct (not
    // when the window ends before now: the newer stored ones were left out, not dropped from the chain)
    let corrected = 0;
    const minHeight = oldestWalked === undefined ? Number.MAX_SAFE_INTEGER : oldestWalked + 1;
    const endsBefore = window !== undefined && window.until !== null;
    const stored = endsBefore ? [] : await this.utxo.addressTxsSince(chain, address, minHeight);
    for (const st of stored) {
      if (seen.has(st.txid)) continue;
      const t = await src.transaction(st.txid);
      corrected++;
      if (t === null) await this.store.tx(() => this.utxo.deleteTx(chain, st.txid));
      else if (t.block === null || t.block.hash !== st.blockHash)
        await this.fetchAndWrite(src, [t], t.block !== null);
      else corrected--;
    }

    // an address with no transactions is ingested too (its empty history is complete): a cursor says so
    if (!window && (newest !== head || cur === undefined)) {
      await this.sync.setCursor(src.id, chain, address, { cursor: newest, tipHeight: null });
    }
    return {
      address,
      written,
      mempool: memFresh.length,
      corrected,
      pages,
      upToDate: written === 0 && corrected === 0,
      ...(await this.coverage(src.id, chain, address, cur !== undefined, window)),
    };
  }
}

type Outspends = (SpentBy | null)[] | null | undefined;

async function fetchOutspends(src: UtxoSource, txs: readonly UtxoTx[], fetch: boolean): Promise<Outspends[]> {
  return fetch ? Promise.all(txs.map((t) => src.outspends(t.txid))) : txs.map(() => undefined);
}

/** Largest batch of transactions merged at once (a few tens of MB of rows in memory). */
export const MAX_UTXO_BATCH = 20_000;

/**
 * Pages of new transactions gathered into batches, each written by one set-based merge (whose cost is
 * mostly per batch): the first page alone, so a run stores something at once, then batches twice the
 * size of the last up to MAX_UTXO_BATCH. The caller flushes at the end, before moving its cursor.
 */
export class UtxoBatchWriter {
  private txs: UtxoTx[] = [];
  private outs: Outspends[] = [];
  private limit = 1;

  constructor(private readonly write: (txs: UtxoTx[], outs: Outspends[]) => Promise<void>) {}

  async add(txs: readonly UtxoTx[], outs: readonly Outspends[]): Promise<void> {
    for (const t of txs) this.txs.push(t);
    for (const o of outs) this.outs.push(o);
    if (this.txs.length >= this.limit) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.txs.length === 0) return;
    const [txs, outs] = [this.txs, this.outs];
    this.txs = [];
    this.outs = [];
    this.limit = Math.min(MAX_UTXO_BATCH, Math.max(this.limit, txs.length) * 2);
    await this.write(txs, outs);
  }
}
