import { stringify } from "csv-stringify/sync";
import { isScreenError, type ScreenRow } from "./screen.ts";

/** The columns fundtrace adds after a customer file's own. */
export const SCREEN_CSV_COLUMNS = [
  "chain",
  "address",
  "sanctioned",
  "risk",
  "score",
  "reason",
  "categories",
  "labels",
  "error",
] as const;

/** Distinct label names, with the sanctions program when there is one. */
export function labelNames(r: ScreenRow): string {
  if (isScreenError(r)) return "";
  return [...new Set(r.labels.map((l) => (l.program ? `${l.label} [${l.program}]` : l.label)))].join("; ");
}

/**
 * Screening results as CSV: the passed-through columns first (in the file's order), then fundtrace's.
 * Cells that a spreadsheet would run as a formula (=, +, -, @ first) are quoted with a leading '.
 */
export function screenCsv(rows: ScreenRow[], passThrough: string[] = []): string {
  const extra = passThrough.filter((c) => !(SCREEN_CSV_COLUMNS as readonly string[]).includes(c));
  const body = rows.map((r) => {
    const own = extra.map((c) => r.fields?.[c] ?? "");
    if (isScreenError(r)) return [...own, r.chain, r.address, "", "", "", "", "", "", r.error.message];
    return [
      ...own,
      r.chain,
      r.address,
      r.sanctioned ? "true" : "false",
      r.risk.band,
      String(r.risk.score),
      r.risk.reasons.join("; "),
      r.categories.join(";"),
      labelNames(r),
      "",
    ];
  });
  return stringify([[...extra, ...SCREEN_CSV_COLUMNS], ...body], { escape_formulas: true });
}
