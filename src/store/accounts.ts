import { listValue } from "@duckdb/node-api";
import { type AccountTransfer, KIND_ORDER, type TransferKind } from "../domain.ts";
import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";
import { big, flag, int, intOrNull, text, textOrNull } from "./rows.ts";

/** account_transfers: one row per native transfer, internal call value, token log or fee. */
export class AccountStore {
  constructor(private readonly store: Store) {}

  /** Idempotent: the same transfer seen again replaces its row. */
  async upsertTransfer(r: AccountTransfer): Promise<void> {
    await this.store.run("account.upsert_transfer", {
      chain: r.chain,
      txid: r.txid,
      kind: r.kind,
      seq: r.seq,
      block_number: BigInt(r.blockNumber),
      block_hash: r.blockHash,
      block_time: r.blockTime === null ? null : BigInt(r.blockTime),
      tx_index: r.txIndex,
      log_index: r.logIndex,
      trace_address: r.traceAddress,
      from_address: r.from,
      to_address: r.to,
      asset: r.asset,
      symbol: r.symbol,
      decimals: r.decimals,
      value: r.value,
      success: r.success,
    });
  }

  /** Every stored transfer touching these addresses, in chain order. */
  async transfersOf(chain: string, addresses: string[]): Promise<AccountTransfer[]> {
    const rows = await this.store.all("account.transfers_of", { chain, addresses: listValue(addresses) });
    return rows.map((r) => ({
      chain,
      txid: text(r, "txid"),
      kind: kind(text(r, "kind")),
      seq: int(r, "seq"),
      blockNumber: int(r, "block_number"),
      blockHash: textOrNull(r, "block_hash"),
      blockTime: intOrNull(r, "block_time"),
      txIndex: intOrNull(r, "tx_index") ?? 0,
      logIndex: intOrNull(r, "log_index"),
      traceAddress: textOrNull(r, "trace_address"),
      from: text(r, "from_address"),
      to: textOrNull(r, "to_address"),
      asset: text(r, "asset"),
      symbol: textOrNull(r, "symbol"),
      decimals: intOrNull(r, "decimals"),
      value: big(r, "value"),
      success: flag(r, "success"),
    }));
  }
}

function isKind(k: string): k is TransferKind {
  return Object.hasOwn(KIND_ORDER, k);
}

function kind(k: string): TransferKind {
  if (!isKind(k)) throw new StoreError(`unknown transfer kind "${k}"`);
  return k;
}
