import type { Command } from "commander";
import type { CaseInfo } from "../../services/cases.ts";
import type { Cli } from "../context.ts";
import { table } from "../output.ts";

function caseText(c: CaseInfo): string {
  const lines = [`case ${c.name}: ${c.title}${c.description ? ` (${c.description})` : ""}`];
  for (const w of c.wallets)
    lines.push(
      `  wallet ${w.chain} ${w.address}  ${w.category ?? "-"}  ${w.label ?? ""}${w.note ? `  (${w.note})` : ""}`,
    );
  for (const q of c.queries)
    lines.push(`  query ${q.name}: ${q.chain} ${q.addresses.join(" ")}  last run ${q.lastRun ?? "-"}`);
  for (const n of c.notes) lines.push(`  note ${n.createdAt}: ${n.text}`);
  return lines.join("\n") + "\n";
}

type WalletFlags = { label?: string; category?: string; note?: string };

/** `case rename | edit | delete`: audited changes of a case as a whole. */
function caseChanges(kase: Command, cli: Cli): void {
  kase
    .command("rename")
    .description("rename a case (its wallets, notes and queries follow)")
    .argument("<name>")
    .argument("<newName>")
    .action(async (name: string, newName: string) => {
      const c = await cli.audited("case rename", `case=${name} name=${newName}`, (s) =>
        s.cases.edit(name, { name: newName }),
      );
      cli.out(c, () => `renamed case "${name}" to "${c.name}"\n`);
    });
  kase
    .command("edit")
    .description("change a case's title or description")
    .argument("<name>")
    .option("--title <t>", "title")
    .option("--description <d>", "description")
    .action(async (name: string, o: { title?: string; description?: string }) => {
      const c = await cli.audited("case edit", `case=${name}`, (s) => s.cases.edit(name, o));
      cli.out(c, () => caseText(c));
    });
  kase
    .command("delete")
    .description("delete a case with its wallets and notes (its saved queries stay)")
    .argument("<name>")
    .action(async (name: string) => {
      const d = await cli.audited("case delete", `case=${name}`, (s) => s.cases.delete(name));
      cli.out(d, () => `deleted case "${d.name}" (${d.wallets} wallets, ${d.notes} notes)\n`);
    });
}

/** `case create | list | show | add-wallet | note | add-query | export | rename | edit | delete`. */
export function caseCommand(program: Command, cli: Cli): void {
  const kase = program.command("case").description("cases: flagged wallets, notes and saved queries");
  kase
    .command("create")
    .argument("<name>")
    .option("--title <t>", "title")
    .option("--description <d>", "description")
    .action(async (name: string, o: { title?: string; description?: string }) => {
      const c = await cli.audited("case create", `case=${name}`, (s) => s.cases.create(name, o));
      cli.out(c, () => `created case "${c.name}": ${c.title}\n`);
    });
  kase.command("list").action(async () => {
    const cs = await (await cli.reading()).cases.list();
    cli.out({ cases: cs }, () =>
      table(
        ["name", "title", "wallets", "queries", "notes", "updated"],
        cs.map((c) => [c.name, c.title, c.wallets, c.queries, c.notes, c.updatedAt]),
      ),
    );
  });
  kase
    .command("show")
    .argument("<name>")
    .action(async (name: string) => {
      const c = await (await cli.reading()).cases.get(name);
      cli.out(c, () => caseText(c));
    });
  kase
    .command("add-wallet")
    .description("flag a wallet in the case")
    .argument("<name>")
    .argument("<chain>")
    .argument("<address>")
    .option("--label <l>", "what the wallet is (e.g. the vendor's name)")
    .option("--category <c>", "TagPack category (e.g. market, terrorism, sanction)")
    .option("--note <n>", "note")
    .action(async (name: string, chain: string, address: string, o: WalletFlags) => {
      const w = await cli.audited("case add-wallet", `case=${name} chain=${chain} address=${address}`, (s) =>
        s.cases.addWallet(name, chain, address, o),
      );
      cli.out(w, () => `flagged ${w.chain} ${w.address} in case "${name}"\n`);
    });
  kase
    .command("note")
    .argument("<name>")
    .argument("<text...>")
    .action(async (name: string, text: string[]) => {
      const n = await cli.audited("case note", `case=${name}`, (s) => s.cases.addNote(name, text.join(" ")));
      cli.out(n, () => `noted in case "${name}"\n`);
    });
  kase
    .command("add-query")
    .description("attach a saved query to the case")
    .argument("<name>")
    .argument("<query>")
    .action(async (name: string, queryName: string) => {
      const c = await cli.audited("case add-query", `case=${name} query=${queryName}`, async (s) => {
        await s.cases.addQuery(name, queryName);
        return s.cases.get(name);
      });
      cli.out(c, () => `query "${queryName}" added to case "${name}"\n`);
    });
  kase
    .command("export")
    .description("the case's attributions as a TagPack, and each query's latest run as an evidence package")
    .argument("<name>")
    .requiredOption("--out <dir>", "folder to write")
    .action(async (name: string, o: { out: string }) => {
      const s = await cli.reading();
      const files = await s.cases.exportTo(name, o.out, s.evidence);
      cli.out({ dir: o.out, files }, () => `wrote ${files.length} files to ${o.out}\n`);
    });
  caseChanges(kase, cli);
}
