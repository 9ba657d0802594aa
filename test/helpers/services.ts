import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { bundled } from "./fixtures.ts";
import { tempDir } from "./tmp.ts";

export const OFAC_XML = bundled("ofac/sdn_advanced_2025-11-19.xml.bz2");
export const NBCTF_CSV = bundled("nbctf/il_nbctf_seizure_orders_wallets.csv");
export const BINANCE_PACK = bundled("exchanges/exchange-wallets-binance.yaml");

/** Services on a fresh temp database, without the default label set (tests import what they need). */
export async function testServices(name = "t"): Promise<Services> {
  const dir = tempDir();
  return createServices(loadConfig({ db: join(dir, `${name}.duckdb`), defaultLabels: false }, {}));
}

/** Real, listed addresses used across tests (from the bundled labels/). */
export const KNOWN = {
  // OFAC SDGT, "Gaza Now" (sdn uid 47635), published in EIP-55 mixed case
  sdgtEth: "0x21B8d56BDA776bbE68655A16895afd96F5534feD",
  // Israel NBCTF seizure order ASO 18/26
  nbctfTron: "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ",
  // GraphSense Binance reserve wallet
  binanceBtc: "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
  unlabelledBtc: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
  badChecksumEth: "0x21B8d56BDA776bbE68655A16895afd96F5534fED",
};
