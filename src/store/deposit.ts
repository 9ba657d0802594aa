import { listValue } from "@duckdb/node-api";
import type { DepositMatch } from "../core/cluster.ts";
import type { Store } from "./db.ts";
import { flag, text } from "./rows.ts";

/** DuckDB list parameters are built in memory: write in slices. */
const BATCH = 20_000;

/** EVM deposit-address clustering: its detection query and its writes (addresses are interned first). */
export class DepositStore {
  constructor(private readonly store: Store) {}

  /** Matched receipts of deposit addresses, by deposit address and receipt order (queries/deposit/matches.sql). */
  async matches(
    chain: string,
    o: { space: string[]; maxFeeWei: bigint; windowBlocks: number },
  ): Promise<DepositMatch[]> {
    const rows = await this.store.all("deposit.matches", {
      chain,
      space: listValue(o.space),
      max_fee: o.maxFeeWei,
      window: BigInt(o.windowBlocks),
    });
    return rows.map((r) => ({
      deposit: text(r, "deposit"),
      exchange: text(r, "exchange"),
      forwardTxid: text(r, "forward_txid"),
      sender: text(r, "sender"),
      receiptTxid: text(r, "receipt_txid"),
      customer: flag(r, "customer"),
    }));
  }

  /** Each member with its cluster's smallest address, which names the cluster. */
  async insertMembers(chain: string, members: { address: string; root: string }[]): Promise<void> {
    for (let i = 0; i < members.length; i += BATCH) {
      const part = members.slice(i, i + BATCH);
      await this.store.run("deposit.insert_members", {
        chain,
        addresses: listValue(part.map((m) => m.address)),
        roots: listValue(part.map((m) => m.root)),
      });
    }
  }

  async insertEvidence(
    chain: string,
    merges: { txid: string; heuristic: string; a: string; b: string }[],
    confidence: number,
  ): Promise<void> {
    for (let i = 0; i < merges.length; i += BATCH) {
      const part = merges.slice(i, i + BATCH);
      await this.store.run("deposit.insert_evidence", {
        chain,
        txids: listValue(part.map((m) => m.txid)),
        heuristics: listValue(part.map((m) => m.heuristic)),
        address_a: listValue(part.map((m) => m.a)),
        address_b: listValue(part.map((m) => m.b)),
        confidence,
      });
    }
  }
}
