import {
  type AccountSource,
  type ChainSource,
  describeGap,
  mergeGaps,
  type SourceGap,
  type UtxoSource,
} from "../../adapters/source.ts";
import { getChain, normalizeAddress } from "../chains.ts";
import type { UtxoTx } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { AccountStore } from "../store/accounts.ts";
import type { Store } from "../store/db.ts";
import { SyncStore } from "../store/sync.ts";
import { UtxoStore } from "../store/utxo.ts";

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
}

export interface IngestResult {
  chain: string;
  source: string;
  addresses: AddressIngestResult[];
  requests: number;
  retries: number;
  /** Every address's gaps: what is missing from the stored histories. */
  gaps: ReportedGap[];
}

export const MAX_INGEST_ADDRESSES = 1000;

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

  async ingest(chain: string, addresses: string[], progress?: IngestProgress): Promise<IngestResult> {
    const input = validateIngestInput(chain, addresses);
    const src = this.sourceFor(input.chain);
    const before = { requests: src.counter.requests, retries: src.counter.retries };
    const results: AddressIngestResult[] = [];
    progress?.(0, input.addresses.length, "starting");
    for (const [i, a] of input.addresses.entries()) {
      const note = (n: number) =>
        progress?.(i, input.addresses.length, `${a}: ${n} ${src.model === "utxo" ? "txs" : "blocks"}`);
      results.push(
        src.model === "utxo"
          ? await this.ingestUtxoAddress(src, a, note)
          : await this.ingestAccountAddress(src, a, note),
      );
      progress?.(i + 1, input.addresses.length, a);
    }
    return {
      chain: input.chain,
      source: src.id,
      addresses: results,
      requests: src.counter.requests - before.requests,
      retries: src.counter.retries - before.retries,
      gaps: results.flatMap((r) => r.gaps ?? []),
    };
  }

  /**
   * Account chains: every transfer of the address from the block after its cursor up to the tip less
   * the confirmation depth (so reorgs cannot change what is stored), in chunks of blocks; each chunk
   * and the cursor move land in one transaction, so a killed run resumes where it stopped.
   */
  async ingestAccountAddress(
    src: AccountSource,
    address: string,
    onBlocks?: (n: number) => void,
  ): Promise<AddressIngestResult> {
    const chain = src.chain;
    const cur = await this.sync.cursor(src.id, chain, address);
    const done =
      cur?.cursor === undefined || cur.cursor === null ? (this.evm.fromBlock ?? 0) - 1 : Number(cur.cursor);
    const tip = await src.tip();
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
        { onGap: (g) => gaps.push(g) },
      );
      pages++;
      await this.store.tx(async () => {
        for (const r of rows) await this.accounts.upsertTransfer(r);
        await this.sync.setCursor(src.id, chain, address, { cursor: String(end), tipHeight: tip.height });
      });
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
    };
  }

  private async writeBatch(src: UtxoSource, txs: UtxoTx[], withOutspends: boolean): Promise<void> {
    const outs = withOutspends
      ? await Promise.all(txs.map((t) => src.outspends(t.txid)))
      : txs.map(() => undefined);
    // A transaction and its spends land together or not at all: a crash never leaves half a tx.
    await this.store.tx(async () => {
      for (const [i, t] of txs.entries()) await this.utxo.writeTx(t, outs[i]);
    });
  }

  /**
   * Newest first: walk pages until the transaction the last complete run ended at (the cursor),
   * write what is new or moved to another block, then check stored recent/unconfirmed ones (reorgs,
   * replaced mempool txs). The cursor moves only after everything is written.
   */
  async ingestUtxoAddress(
    src: UtxoSource,
    address: string,
    onTxs?: (n: number) => void,
  ): Promise<AddressIngestResult> {
    const chain = src.chain;
    const cur = await this.sync.cursor(src.id, chain, address);
    const head = cur?.cursor ?? null;
    let page = await src.addressHistory(address, null);
    const mempool = page.mempool ?? [];
    let pages = 1;
    let reachedHead = false;
    let written = 0;
    const seen = new Set<string>(mempool.map((t) => t.txid));
    let oldestWalked: number | undefined;
    const newest = page.items[0]?.txid ?? head;
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
      if (fresh.length) await this.writeBatch(src, fresh, true);
      written += fresh.length;
      onTxs?.(seen.size);
      if (reachedHead || page.next === null) break;
      page = await src.addressHistory(address, page.next);
      pages++;
    }

    const memStates = await this.utxo.txStates(
      chain,
      mempool.map((t) => t.txid),
    );
    const memFresh = mempool.filter((t) => memStates.get(t.txid)?.confirmed !== false);
    if (memFresh.length) await this.writeBatch(src, memFresh, false);

    // Stored txs of this address that should have been seen but were not: re-fetch and correct.
    let corrected = 0;
    const minHeight = oldestWalked === undefined ? Number.MAX_SAFE_INTEGER : oldestWalked + 1;
    for (const st of await this.utxo.addressTxsSince(chain, address, minHeight)) {
      if (seen.has(st.txid)) continue;
      const t = await src.transaction(st.txid);
      corrected++;
      if (t === null) await this.store.tx(() => this.utxo.deleteTx(chain, st.txid));
      else if (t.block === null || t.block.hash !== st.blockHash)
        await this.writeBatch(src, [t], t.block !== null);
      else corrected--;
    }

    // an address with no transactions is ingested too (its empty history is complete): a cursor says so
    if (newest !== head || cur === undefined) {
      await this.sync.setCursor(src.id, chain, address, { cursor: newest, tipHeight: null });
    }
    return {
      address,
      written,
      mempool: memFresh.length,
      corrected,
      pages,
      upToDate: written === 0 && corrected === 0,
    };
  }
}
