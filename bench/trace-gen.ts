import { readFileSync } from "node:fs";
import type { Store } from "../src/store/db.ts";
import { QUERIES_DIR } from "../src/store/queries.ts";

/** Chain of the synthetic graph (account model, native ETH transfers): a real chain, so the product traces it. */
export const BENCH_CHAIN = "ethereum";
/** Exchange hubs: address kind 1, ids 0..15 (see bench/queries/trace_gen_transfers.sql). */
export const HUB_COUNT = 16;

export function benchAddress(kind: number, id: number): string {
  return `0x${kind.toString(16).padStart(2, "0")}${id.toString(16).padStart(38, "0")}`;
}

export function hubAddresses(): string[] {
  return Array.from({ length: HUB_COUNT }, (_, i) => benchAddress(1, i));
}

export interface GenResult {
  transfers: number;
  addresses: number;
  minBlock: number;
  maxBlock: number;
}

/**
 * Seeded synthetic transfer graph in account_transfers (chain "ethereum"): heavy-tailed users,
 * peel chains, CoinJoin-like rounds, exchange deposit addresses forwarding to 16 hubs.
 * Generated in DuckDB with range()/hash(), in slices so memory stays bounded.
 */
export async function generate(store: Store, n: number, seed = 42): Promise<GenResult> {
  await store.run("bench.trace_gen_transfers", { n: BigInt(n), seed: BigInt(seed) });
  // per-address totals, as migration 012 fills them for transfers stored before it
  const m = readFileSync(`${QUERIES_DIR}migrations/012_address_totals.sql`, "utf8");
  await store.sql(m.slice(m.indexOf("INSERT INTO account_address_assets")));
  const c = (await store.one("bench.trace_count", { chain: BENCH_CHAIN }))!;
  return {
    transfers: Number(c.n),
    addresses: Number(c.addresses),
    minBlock: Number(c.min_block),
    maxBlock: Number(c.max_block),
  };
}
