import { parse } from "csv-parse/sync";
import { BadInputError } from "../errors.ts";

/** A headed CSV as records with trimmed lower-case column names; a broken file is bad input. */
export function csvRecords(text: string, what: string): Record<string, string>[] {
  try {
    return parse(text, {
      bom: true,
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
    }) as Record<string, string>[];
  } catch (cause) {
    throw new BadInputError(`${what} does not parse: ${(cause as Error).message}`, { cause });
  }
}
