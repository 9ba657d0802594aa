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
    out[t] = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).sort();
  }
  return out;
}
