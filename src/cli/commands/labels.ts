import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { BadInputError } from "../../errors.ts";
import { importDefaultLabels } from "../../services/index.ts";
import { type ImportFormat, type ImportResult, LABEL_FORMATS } from "../../services/labels.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

interface ImportCliOptions {
  format?: ImportFormat;
  defaults?: boolean;
  dataset?: string;
  force?: boolean;
  authority?: boolean;
}

/** The table, then what each import removed and skipped (an import never drops labels silently). */
function importReport(results: ImportResult[]): string {
  const out = table(
    ["file", "dataset", "format", "rows", "added", "removed", "skipped", "note"],
    results.map((r) => [
      r.sourceFile,
      r.dataset,
      r.format,
      r.rows,
      r.added,
      r.removed,
      r.skipped,
      r.unchanged ? "unchanged (same file)" : r.authority ? "authority" : "",
    ]),
  );
  const lines: string[] = [];
  for (const r of results) {
    if (r.removed > 0) {
      const e = r.removedSample
        .slice(0, 3)
        .map((l) => `${l.chain} ${l.address} "${l.label}" (${l.category})`)
        .join("; ");
      lines.push(
        `${r.sourceFile}: removed ${r.removed} of the ${r.previousRows} labels of dataset "${r.dataset}" ` +
          `(${r.removedAddresses} addresses no longer in it), e.g. ${e}`,
      );
    }
    if (r.skipped > 0) {
      const why = r.skippedReasons
        .slice(0, 5)
        .map((s) => `${s.count} × ${s.reason}`)
        .join("; ");
      const more = r.skippedReasons.length > 5 ? `; ${r.skippedReasons.length - 5} other reasons` : "";
      lines.push(`${r.sourceFile}: skipped ${r.skipped}: ${why}${more}`);
    }
  }
  return out + lines.map((l) => `${l}\n`).join("");
}

async function importLabels(cli: Cli, files: string[], o: ImportCliOptions) {
  if (files.length === 0 && !o.defaults) throw new BadInputError("give label files to import, or --defaults");
  if (o.dataset !== undefined && (files.length !== 1 || o.defaults)) {
    throw new BadInputError("--dataset names the dataset of one file: give exactly one file");
  }
  const s = await cli.open();
  const results: ImportResult[] = [];
  if (o.defaults)
    results.push(...(await cli.audited("labels import", "--defaults", () => importDefaultLabels(s))));
  const p = cli.progress();
  for (const [i, f] of files.entries()) {
    p.update(i, files.length, f);
    const target = `${f}${o.dataset ? ` dataset=${o.dataset}` : ""}${o.force ? " force" : ""}${o.authority ? " authority" : ""}`;
    results.push(
      await cli.audited("labels import", target, () =>
        s.labels.importFile(f, {
          format: o.format,
          dataset: o.dataset,
          force: o.force,
          authority: o.authority,
        }),
      ),
    );
  }
  if (files.length) p.update(files.length, files.length, "done");
  cli.out({ imports: results }, () => importReport(results));
}

/** `labels import | list | export`. */
export function labelsCommand(program: Command, cli: Cli): void {
  const labels = program.command("labels").description("import, list and export attribution labels");
  labels
    .command("import")
    .description(
      "load labels from files (format sniffed when omitted); --defaults loads the bundled set. A file replaces " +
        "only the dataset its content names (TagPack title and creator, OFAC list, ...) or --dataset",
    )
    .argument("[files...]", "label files (.xml[.bz2], .yaml[.gz], .csv, .json)")
    .addOption(new Option("--format <format>", "file format").choices([...LABEL_FORMATS]))
    .option("--defaults", "import the bundled default label set")
    .option("--dataset <name>", "import into this dataset instead of the one the file's content names")
    .option("--force", "replace even if more than 10% of the dataset's addresses would be removed")
    .option("--authority", "mark the dataset as an authority's: its replacements are guarded like OFAC's")
    .action((files: string[], o: ImportCliOptions) => importLabels(cli, files, o));
  labels
    .command("list")
    .description("show stored labels")
    .option("--chain <chain>")
    .option("--category <category>")
    .option("--dataset <dataset>")
    .option("--limit <n>", "rows to show", numberArg("--limit", { positive: true }), 100)
    .action(async (o: { chain?: string; category?: string; dataset?: string; limit: number }) => {
      const s = await cli.reading();
      const r = await s.labels.list(o);
      cli.out(
        r,
        () =>
          table(
            ["chain", "address", "category", "label", "source", "conf", "program"],
            r.labels.map((l) => [l.chain, l.address, l.category, l.label, l.source, l.confidence, l.program]),
          ) + `${r.labels.length} of ${r.total} labels\n`,
      );
    });
  labels
    .command("export")
    .description("share labels as a GraphSense TagPack (YAML) or CSV")
    .addOption(new Option("--format <format>").choices(["tagpack", "csv"]).default("tagpack"))
    .option("--chain <chain>")
    .option("--category <category>")
    .option("-o, --output <file>", "write to a file instead of stdout")
    .action(async (o: { format: "tagpack" | "csv"; chain?: string; category?: string; output?: string }) => {
      const s = await cli.reading();
      const text = await s.labels.export(o.format, { chain: o.chain, category: o.category });
      if (o.output) await writeFile(o.output, text);
      else cli.write(text);
    });
}
