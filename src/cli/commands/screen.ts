import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import type { RiskBand } from "../../core/risk.ts";
import { BadInputError } from "../../errors.ts";
import { flaggedRows, isScreenError, type ScreenResponse, type ScreenRow } from "../../services/screen.ts";
import { labelNames, screenCsv } from "../../services/screen-format.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { type IO, table } from "../output.ts";
import { EXIT_ATTENTION, EXIT_BAD_INPUT } from "../shutdown.ts";

/** A file's text, or stdin's for none or `-`. */
export async function readInput(file: string | undefined, io: IO): Promise<string> {
  if (file && file !== "-") {
    try {
      return await readFile(file, "utf8");
    } catch (cause) {
      throw new BadInputError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function screenTable(rows: ScreenRow[], passThrough: string[]): string {
  return table(
    [...passThrough, "chain", "address", "sanctioned", "risk", "reason", "categories", "labels"],
    rows.map((x) => [
      ...passThrough.map((c) => x.fields?.[c] ?? ""),
      x.chain,
      x.address,
      ...(isScreenError(x)
        ? ["-", "ERROR", x.error.message, "", ""]
        : [
            x.sanctioned ? "YES" : "no",
            x.risk.band,
            x.risk.reasons.join("; "),
            x.categories.join(","),
            labelNames(x),
          ]),
    ]),
  );
}

/** One line on stderr saying what the exit code means: rows to act on, rows not screened. */
function verdict(r: ScreenResponse, failOn: RiskBand | undefined): { code: number; line: string } | null {
  const flagged = flaggedRows(r.results, failOn);
  const errors = r.results.filter(isScreenError);
  const parts: string[] = [];
  if (flagged.length > 0)
    parts.push(
      `${flagged.length} of ${r.summary.rows} rows need action (${r.summary.sanctioned} sanctioned${failOn ? `, risk ${failOn} or above` : ""})`,
    );
  if (errors.length > 0)
    parts.push(
      `${errors.length} rows not screened (${errors
        .slice(0, 5)
        .map((e) => (e.line !== undefined ? `line ${e.line}` : e.address))
        .join(", ")}${errors.length > 5 ? ", …" : ""})`,
    );
  if (parts.length === 0) return null;
  return {
    code: flagged.length > 0 ? EXIT_ATTENTION : EXIT_BAD_INPUT,
    line: `fundtrace: ${parts.join("; ")}\n`,
  };
}

interface ScreenFlags {
  exposureHops?: number;
  chainCol?: string;
  addressCol?: string;
  chain?: string;
  format: "table" | "csv";
  failOn?: RiskBand;
}

/** `screen [FILE|-]`: a customer file (CSV with a header) screened row by row. */
export function screenCommand(program: Command, cli: Cli): void {
  program
    .command("screen")
    .description(
      "screen a CSV file with a header (chain and address columns; other columns are passed through); exit 3 when a row is sanctioned or at/above --fail-on",
    )
    .argument("[file]", "CSV file; - or none reads stdin")
    .option("--chain-col <name>", "column holding the chain (default: chain)")
    .option("--address-col <name>", "column holding the address (default: address)")
    .option("--chain <chain>", "chain of rows without one (no chain column, or an empty cell)")
    .addOption(new Option("--format <format>", "output").choices(["table", "csv"]).default("table"))
    .addOption(
      new Option("--fail-on <band>", "exit 3 when a row's risk is this band or above").choices([
        "low",
        "medium",
        "high",
        "severe",
      ]),
    )
    .option(
      "--exposure-hops <n>",
      "also compute exposure up to N hops (traces stored data, may fetch)",
      numberArg("--exposure-hops", { min: 0 }),
    )
    .action(async (file: string | undefined, o: ScreenFlags) => {
      const text = await readInput(file, cli.io);
      // labels only, or exposure offline: it only reads what is stored
      const s = await cli.open({}, { readOnly: o.exposureHops === undefined || cli.offline });
      const r = await s.screen.screenFile(text, o);
      const own = r.columns ?? [];
      if (o.format === "csv" && !cli.json) cli.write(screenCsv(r.results, own));
      else cli.out(r, () => screenTable(r.results, own));
      const v = verdict(r, o.failOn);
      if (!v) return;
      if (!cli.json) cli.io.stderr.write(v.line);
      cli.exitCode = v.code;
    });
}
