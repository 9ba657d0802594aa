import { chainForCurrency, getChain, normalizeAddress } from "../chains.ts";
import type { LabelDataset, LabelRecord } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { addressErrorReason } from "./address-fast.ts";
import { csvRecords } from "./csv-records.ts";

export const NBCTF_DATASET = "nbctf";
/** GraphSense "authority_data": a government seizure order. */
export const NBCTF_CONFIDENCE = 60;

export interface ParseNbctfOptions {
  sourceFile?: string;
  /** Dataset id chosen by the user; default "nbctf" (the NBCTF seizure-order table is one publication). */
  dataset?: string;
}

/** address_format values of the NBCTF table that map to one chain fundtrace knows. */
const FORMAT_CHAINS: Record<string, string> = {
  tron: "tron",
  bitcoin: "bitcoin",
  evm: "ethereum",
  litecoin: "litecoin",
  zcash: "zcash",
  xrp: "ripple",
  dogecoin: "dogecoin",
  verge: "verge",
  dash: "dash",
  monero: "monero",
  solana: "solana",
  "bitcoin-cash": "bitcoin-cash",
};

/** Chain for a row; the shared D... base58 format is told apart by the published currency. */
function nbctfChain(format: string, currency: string, address: string): string | { reason: string } {
  const f = format.trim().toLowerCase();
  if (f === "evm") return currency ? (chainForCurrency(currency, address) ?? "ethereum") : "ethereum";
  const direct = FORMAT_CHAINS[f];
  if (direct) return direct;
  if (f === "dogecoin_or_dgb_xvg") {
    const c = currency.toUpperCase();
    if (c === "DOGE") return "dogecoin";
    if (c === "XVG") return "verge";
    return {
      reason: c
        ? `address format ${f} with currency ${c}: chain not supported`
        : `address format ${f} without a currency: chain unknown`,
    };
  }
  return {
    reason: `address format ${f || "(empty)"}${currency ? ` (${currency})` : ""}: chain not supported`,
  };
}

/** One table row -> a label, or the reason it is skipped. */
function rowToLabel(r: Record<string, string>, order: string, raw: string): LabelRecord | string {
  if (order === "") return "empty order_id";
  if (raw === "") return "empty address";
  // a memo/tag means a shared exchange deposit address: labelling it would flag every customer
  const memo = (r.memo_tag ?? "").trim();
  if (memo !== "") return `exchange deposit address with memo/tag ${memo}; the order targets the memo`;
  const currency = (r.currency_as_published ?? "").trim().toUpperCase();
  const chain = nbctfChain(r.address_format ?? "", currency, raw);
  if (typeof chain !== "string") return chain.reason;
  let address: string;
  try {
    address = normalizeAddress(chain, raw);
  } catch (e) {
    return addressErrorReason(e);
  }
  // the table's own check covers chains we only validate loosely
  if ((r.checksum_ok ?? "").trim().toLowerCase() === "no") return "source marks the checksum as bad";
  return {
    chain,
    address,
    currency: currency || getChain(chain).symbol,
    label: `Israel NBCTF seizure order ${order}`,
    category: "terrorism_financing",
    source: `NBCTF ${order}`,
    confidence: NBCTF_CONFIDENCE,
    program: null,
    reference: order,
    clusterDefining: false,
  };
}

/**
 * Israel NBCTF seizure-order wallet table (order_id,address,address_format,currency_as_published,
 * memo_tag,...,checksum_ok) -> terrorism_financing labels, one per (order, address).
 */
export function parseNbctfCsv(text: string, opts: ParseNbctfOptions = {}): LabelDataset {
  const dataset = opts.dataset ?? NBCTF_DATASET;
  const records = csvRecords(text, "NBCTF CSV");
  const labels: LabelRecord[] = [];
  const skipped: LabelDataset["skipped"] = [];
  const first = records[0];
  if (!first) return { dataset, format: "nbctf", labels, skipped };
  const missing = ["order_id", "address", "address_format"].filter((c) => !(c in first));
  if (missing.length > 0) throw new BadInputError(`NBCTF CSV lacks column(s): ${missing.join(", ")}`);

  const seen = new Set<string>();
  records.forEach((r, i) => {
    const order = (r.order_id ?? "").trim();
    const address = (r.address ?? "").trim();
    const out = rowToLabel(r, order, address);
    if (typeof out === "string") {
      skipped.push({ address, reason: `line ${i + 2} (${order || "no order"}): ${out}` });
      return;
    }
    const key = `${out.chain}\u0000${out.address}\u0000${out.source}`;
    if (seen.has(key)) return;
    seen.add(key);
    labels.push(out);
  });
  return { dataset, format: "nbctf", labels, skipped };
}
