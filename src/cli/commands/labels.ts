import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { BadInputError } from "../../errors.ts";
import { importDefaultLabels } from "../../services/index.ts";
import { type ImportFormat, type ImportResult, LABEL_FORMATS } from "../../services/labels.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

function importTable(results: ImportResult[]): string {
  return table(
    ["file", "dataset", "format", "rows", "skipped", "note"],
    results.map((r) => [
      r.sourceFile,
      r.dataset,
      r.format,
      r.rows,
      r.skipped,
      r.unchanged ? "unchanged (same file)" : "",
    ]),
  );
}

async function importLabels(
  cli: Cli,
  files: string[],
  o: { format?: ImportFormat; defaults?: boolean; force?: boolean },
) {
  if (files.length === 0 && !o.defaults) throw new BadInputError("give label files to import, or --defaults");
  const s = await cli.open();
  const results: ImportResult[] = [];
  if (o.defaults)
    results.push(...(await cli.audited("labels import", "--defaults", () => importDefaultLabels(s))));
  const p = cli.progress();
  for (const [i, f] of files.entries()) {
    p.update(i, files.length, f);
    const target = `${f}${o.force ? " force" : ""}`;
    results.push(
      await cli.audited("labels import", target, () => s.labels.importFile(f, o.format, { force: o.force })),
    );
  }
  if (files.length) p.update(files.length, files.length, "done");
  cli.out({ imports: results }, () => importTable(results));
}

/** `labels import | list | export`. */
export function labelsCommand(program: Command, cli: Cli): void {
  const labels = program.command("labels").description("import, list and export attribution labels");
  labels
    .command("import")
    .description("load labels from files (format sniffed when omitted); --defaults loads the bundled set")
    .argument("[files...]", "label files (.xml[.bz2], .yaml[.gz], .csv, .json)")
    .addOption(new Option("--format <format>", "file format").choices([...LABEL_FORMATS]))
    .option("--defaults", "import the bundled default label set")
    .option(
      "--force",
      "replace an authority dataset (OFAC, NBCTF) even when the file delists a large share of it",
    )
    .action((files: string[], o: { format?: ImportFormat; defaults?: boolean; force?: boolean }) =>
      importLabels(cli, files, o),
    );
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
