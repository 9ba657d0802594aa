import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { BadInputError, quote } from "../../errors.ts";
import type { ScreenItem, ScreenResult } from "../../services/screen.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { type IO, table } from "../output.ts";

/** Parses `chain,address` lines (blank lines, `#` comments and a header line are skipped). */
export function parseScreenLines(text: string): ScreenItem[] {
  const items: ScreenItem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parts = line.split(/[,\t ]+/).filter(Boolean);
    if (i === 0 && parts[0]?.toLowerCase() === "chain" && parts[1]?.toLowerCase() === "address") return;
    if (parts.length !== 2)
      throw new BadInputError(`line ${i + 1}: expected "chain,address", got ${quote(line)}`);
    items.push({ chain: parts[0]!, address: parts[1]! });
  });
  return items;
}

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

function screenTable(results: ScreenResult[]): string {
  return table(
    ["chain", "address", "sanctioned", "risk", "categories", "labels"],
    results.map((x) => [
      x.chain,
      x.address,
      x.sanctioned ? "YES" : "no",
      x.risk.band,
      x.categories.join(","),
      [...new Set(x.labels.map((l) => (l.program ? `${l.label} [${l.program}]` : l.label)))].join("; "),
    ]),
  );
}

/** `screen [FILE|-]`: batch screening of chain,address lines. */
export function screenCommand(program: Command, cli: Cli): void {
  program
    .command("screen")
    .description("screen `chain,address` lines against every label (FILE or - for stdin)")
    .argument("[file]", "file with one chain,address per line; - or none reads stdin")
    .option(
      "--exposure-hops <n>",
      "also compute exposure up to N hops (traces stored data, may fetch)",
      numberArg("--exposure-hops", { min: 0 }),
    )
    .action(async (file: string | undefined, o: { exposureHops?: number }) => {
      const items = parseScreenLines(await readInput(file, cli.io));
      if (items.length === 0) throw new BadInputError("no chain,address lines to screen");
      // labels only, or exposure offline: it only reads what is stored
      const s = await cli.open({}, { readOnly: o.exposureHops === undefined || cli.offline });
      const r = await s.screen.screen(items, { exposureHops: o.exposureHops });
      cli.out(r, () => screenTable(r.results));
    });
}
