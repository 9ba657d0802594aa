import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withBenchQueries } from "../bench/queries.ts";
import { loadConfig } from "../src/config.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let s: Services;

/** 24,000 inputs over a heavy-tailed address pool (the cluster bench's generator, smaller). */
beforeAll(async () => {
  s = await createServices(loadConfig({ db: join(dir, "det.duckdb"), defaultLabels: false }, {}));
  withBenchQueries(s.store);
  const nTxs = 8_000n;
  await s.store.run("bench.gen_utxo_txs", { n_txs: nTxs, inputs_per_tx: 3 });
  await s.store.run("bench.gen_utxo_inputs", { n_txs: nTxs, inputs_per_tx: 3, n_addresses: 14_400n });
  await s.store.run("bench.gen_utxo_outputs", { n_txs: nTxs });
  await s.store.run("bench.gen_utxo_address_ids");
  await s.store.run("bench.gen_utxo_tx_ids");
  await s.store.run("bench.gen_utxo_tx_index");
  await s.store.run("bench.gen_utxo_input_ids");
});
afterAll(() => s?.close());

/** Every evidence row as text, in one fixed order. */
async function evidence(): Promise<string[]> {
  const rows = await s.store.sql(
    "SELECT chain, cluster_id, txid, heuristic, address_a, address_b, confidence FROM cluster_evidence",
  );
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).sort();
}

describe("clustering evidence is reproducible", () => {
  it("the same store clustered from scratch twice, and with its input rows in another order, records the same rows", async () => {
    const first = await s.clusters.cluster("bitcoin", { full: true, reportChange: false });
    expect(first.merges).toBeGreaterThan(4_000);
    const a = await evidence();
    expect(a).toHaveLength(first.merges);
    await s.clusters.cluster("bitcoin", { full: true, reportChange: false });
    expect(await evidence()).toEqual(a);
    // the same rows stored in a scrambled order: DuckDB streams them in another order
    await s.store.sql(
      "CREATE TABLE scrambled AS SELECT * FROM utxo_input_ids ORDER BY hash(tx_id * 31 + addr_id)",
    );
    await s.store.sql("DELETE FROM utxo_input_ids");
    await s.store.sql("INSERT INTO utxo_input_ids SELECT * FROM scrambled");
    await s.store.sql("DROP TABLE scrambled");
    await s.clusters.cluster("bitcoin", { full: true, reportChange: false });
    expect(await evidence()).toEqual(a);
  });
});
