import { parse } from "csv-parse/sync";
import { BadInputError } from "../errors.ts";
import type { ScreenItem, ScreenRowError } from "./screen.ts";

/** Which columns of a customer file hold the chain and the address; `chain` serves a file without a chain column. */
export interface ScreenColumns {
  chainCol?: string;
  addressCol?: string;
  /** The chain of rows without one: a file with no chain column, or an empty chain cell. */
  chain?: string;
}

/** A file's rows to screen, and the rows that cannot be read (each one that row's error). */
export interface ScreenInput {
  items: ScreenItem[];
  errors: ScreenRowError[];
  /** The columns passed through (all but the chain and address columns), in the file's order. */
  passThrough: string[];
}

const DELIMITERS = [",", "\t", ";"] as const;

/** The header line's separator: the first of comma, tab, semicolon it contains (a comma otherwise). */
function delimiterOf(text: string): string {
  const header =
    text
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .find((l) => l.trim() !== "" && !l.startsWith("#")) ?? "";
  return DELIMITERS.find((d) => header.includes(d)) ?? ",";
}

interface Parsed {
  records: { record: string[]; line: number }[];
  skipped: ScreenRowError[];
}

function parseCsv(text: string): Parsed {
  const skipped: ScreenRowError[] = [];
  try {
    const rows = parse(text, {
      bom: true,
      comment: "#",
      comment_no_infix: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (e) => {
        const line = (e as { lines?: number } | undefined)?.lines ?? 0;
        // the parser may report one broken line more than once
        if (skipped.some((x) => x.line === line)) return;
        skipped.push(rowError(line, "", "", {}, "BAD_INPUT", `not CSV: ${e?.message ?? "unreadable row"}`));
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return { records: rows.map((r) => ({ record: r.record, line: r.info.lines })), skipped };
  } catch (cause) {
    throw new BadInputError(`the file is not CSV: ${(cause as Error).message}`, { cause });
  }
}

function rowError(
  line: number,
  chain: string,
  address: string,
  fields: Record<string, string>,
  code: string,
  message: string,
): ScreenRowError {
  return { line, chain, address, fields, error: { code, message: `line ${line}: ${message}` } };
}

const norm = (s: string) => s.trim().toLowerCase();

/** Where the chain and address columns are; null when the first row is data (a file without a header). */
function locate(header: string[], o: ScreenColumns): { chain: number; address: number } | null {
  const names = header.map(norm);
  const chainName = norm(o.chainCol ?? "chain");
  const addressName = norm(o.addressCol ?? "address");
  const chain = names.indexOf(chainName);
  const address = names.indexOf(addressName);
  if ((chain >= 0 || o.chain) && address >= 0) return { chain, address };
  // A two-column file with no header and no mapping asked for: chain,address lines, as before 0.2.
  if (!o.chainCol && !o.addressCol && !o.chain && header.length === 2) return null;
  const missing = [
    ...(!o.chain && chain < 0 ? [`no column "${o.chainCol ?? "chain"}" (use --chain-col or --chain)`] : []),
    ...(address < 0 ? [`no column "${o.addressCol ?? "address"}" (use --address-col)`] : []),
  ];
  throw new BadInputError(`the header has ${missing.join(" and ")}; its columns: ${header.join(", ")}`);
}

/**
 * A customer file as rows to screen: a header row, a column mapping for the chain and the address,
 * every other column passed through by name. A row that cannot be read is that row's error.
 */
export function parseScreenCsv(text: string, o: ScreenColumns = {}): ScreenInput {
  const { records, skipped } = parseCsv(text);
  const first = records[0];
  if (!first) return { items: [], errors: skipped, passThrough: [] };
  const at = locate(first.record, o);
  const columns = at ? first.record : ["chain", "address"];
  const data = at ? records.slice(1) : records;
  const pos = at ?? { chain: 0, address: 1 };
  const items: ScreenItem[] = [];
  const errors = [...skipped];
  for (const { record, line } of data) {
    const fields: Record<string, string> = {};
    for (const [i, name] of columns.entries())
      if (i !== pos.chain && i !== pos.address) fields[name] = record[i] ?? "";
    const chain = (pos.chain < 0 ? "" : (record[pos.chain] ?? "")) || (o.chain ?? "");
    const address = record[pos.address] ?? "";
    if (record.length !== columns.length)
      errors.push(
        rowError(
          line,
          chain,
          address,
          fields,
          "BAD_INPUT",
          `${record.length} columns, the header has ${columns.length}`,
        ),
      );
    else if (!address) errors.push(rowError(line, chain, address, fields, "BAD_INPUT", "no address"));
    else items.push({ chain, address, fields, line });
  }
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const passThrough = columns.filter((_, i) => i !== pos.chain && i !== pos.address);
  return { items, errors, passThrough };
}
