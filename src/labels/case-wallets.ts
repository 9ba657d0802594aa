import { getChain } from "../chains.ts";
import type { LabelRecord } from "../domain.ts";
import { CONFIDENCE_LEVELS } from "./taxonomy.ts";

/** A wallet flagged in a case, as an attribution (address lookups, traces and the case's TagPack). */
export function caseWalletLabel(
  caseName: string,
  w: { chain: string; address: string; label: string | null; category: string | null; note: string | null },
): LabelRecord {
  return {
    chain: w.chain,
    address: w.address,
    currency: getChain(w.chain).symbol,
    label: w.label ?? `flagged in case ${caseName}`,
    category: w.category ?? "unknown",
    source: `fundtrace case ${caseName}`,
    confidence: CONFIDENCE_LEVELS.forensic_investigation,
    program: null,
    reference: w.note,
    clusterDefining: false,
  };
}
