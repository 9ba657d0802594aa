import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { type DevChain as Chain, DevChain } from "../../src/devchain/bitcoin.ts";
import { type EsploraServer, startEsploraServer } from "../../src/devchain/esplora-server.ts";
import { createServices, type Services } from "../../src/services/index.ts";

/**
 * A vendor wallet with a long history: 45 payments in, 25 payments out with change back to itself,
 * spread over blocks, so its address has 70 confirmed transactions (3 Esplora pages).
 */
export function vendorScenario(seed = "vendor") {
  const chain = new DevChain({ seed });
  const vendor = chain.wallet("vendor", "p2wpkh");
  const A = vendor.address();
  const buyers = Array.from({ length: 5 }, (_, i) => chain.wallet(`buyer${i}`, i % 2 ? "p2pkh" : "p2tr"));
  const exchange = chain.wallet("exchange", "p2sh-p2wpkh");
  for (let i = 0; i < 45; i++) {
    const b = buyers[i % buyers.length]!;
    const u = chain.fund(b.newAddress(), 1_000_000n + BigInt(i) * 1_003n);
    chain.send({
      from: [u],
      to: [{ address: A, value: 500_000n + BigInt(i) * 7n }],
      fee: 1_000n,
      changeAddress: b.address(),
    });
    if (i % 4 === 3) chain.mine();
  }
  chain.mine();
  for (let i = 0; i < 25; i++) {
    chain.send({
      from: vendor,
      to: [{ address: exchange.newAddress(), value: 100_000n + BigInt(i) }],
      fee: 500n,
      changeAddress: A,
    });
    if (i % 3 === 2) chain.mine();
  }
  chain.mine();
  return { chain, vendor, A, buyers, exchange };
}

export async function startServer(chain: Chain): Promise<EsploraServer> {
  return startEsploraServer(chain);
}

/** Services on a temp DB pointed at a local Esplora, with fast retries for fault tests. */
export async function btcServices(dir: string, name: string, esploraUrl: string): Promise<Services> {
  return createServices(
    loadConfig(
      { db: join(dir, `${name}.duckdb`), defaultLabels: false, esploraUrl },
      {
        FUNDTRACE_RETRY_BASE_MS: "5",
        FUNDTRACE_HTTP_TIMEOUT_MS: "1500",
        FUNDTRACE_MAX_RETRIES: "12",
        FUNDTRACE_RPS: "1000",
      },
    ),
  );
}

/** The UTXO tables as sorted text rows, for "identical tables" comparisons. */
export async function utxoTables(s: Services): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of ["utxo_txs", "utxo_inputs", "utxo_outputs"]) {
    const rows = await s.store.sql(`SELECT * FROM ${t}`);
    out[t] = sortedJson(rows);
  }
  return out;
}

/**
 * The id tables ingest writes with each transaction, ids resolved to the strings they stand for (so two
 * stores compare whatever ids they handed out), and the number of rows left in the staging tables.
 */
export async function utxoIdTables(s: Services) {
  const q = async (sql: string) => sortedJson(await s.store.sql(sql));
  const staged = await s.store.sql(
    `SELECT (SELECT count(*) FROM utxo_txs_stage) + (SELECT count(*) FROM utxo_inputs_stage)
       + (SELECT count(*) FROM utxo_outputs_stage) + (SELECT count(*) FROM address_ids_stage)
       + (SELECT count(*) FROM account_transfers_stage) AS n`,
  );
  return {
    txIds: await q("SELECT txid, count(*)::INTEGER AS n FROM tx_ids GROUP BY txid"),
    addressIds: await q("SELECT address, key, count(*)::INTEGER AS n FROM address_ids GROUP BY address, key"),
    txIndex: await q(
      "SELECT i.chain, x.txid, i.confirmed, i.coinbase, i.input_count, i.output_count FROM utxo_tx_index i JOIN tx_ids x ON x.id = i.tx_id",
    ),
    inputs: await q(
      "SELECT x.txid, i.vin, a.address, i.addr_key FROM utxo_input_ids i JOIN tx_ids x ON x.id = i.tx_id JOIN address_ids a ON a.id = i.addr_id",
    ),
    outputs: await q(
      "SELECT x.txid, o.vout, a.address, o.addr_key, o.value, o.script_type FROM utxo_output_ids o JOIN tx_ids x ON x.id = o.tx_id JOIN address_ids a ON a.id = o.addr_id",
    ),
    fingerprints: await q(
      `SELECT f.chain, x.txid, f.block_height, f.version, f.locktime, f.rbf, f.in_type, f.min_in,
         CASE WHEN f.coinjoin_checked THEN f.coinjoin ELSE 'unchecked' END AS coinjoin
       FROM utxo_tx_fingerprints f JOIN tx_ids x ON x.id = f.tx_id`,
    ),
    staged: Number(staged[0]!.n),
  };
}

function sortedJson(rows: unknown[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).sort();
}
