import { Command } from "commander";
import { formatAmount } from "../../core/amount.ts";
import { BadInputError } from "../../errors.ts";
import { type QueryRun, runChanged } from "../../services/queries.ts";
import type { TraceInput } from "../../services/trace-input.ts";
import { scheduleChange } from "../../services/watch/every.ts";
import type { Cli } from "../context.ts";
import { table, toJson } from "../output.ts";
import { EXIT_ATTENTION, EXIT_FAILURE } from "../shutdown.ts";
import { type TraceFlags, traceInput, withTraceOptions } from "./trace.ts";
import { SCHEDULE_NAMES, scheduleFlags, scheduleLine } from "./watch.ts";

/** The words after `--` of `query save NAME -- CHAIN ADDRESS... [trace options]`, parsed like `trace`. */
function savedTrace(cli: Cli, traceArgs: string[]): TraceInput {
  const sub = withTraceOptions(new Command("trace").argument("<chain>").argument("<addresses...>"))
    .exitOverride()
    .configureOutput({ writeOut: (x) => cli.io.stdout.write(x), writeErr: (x) => cli.io.stderr.write(x) });
  let req: TraceInput | undefined;
  sub.action((chain: string, addresses: string[], o: TraceFlags) => {
    req = traceInput(chain, addresses, o);
  });
  sub.parse(traceArgs, { from: "user" });
  if (!req) throw new BadInputError("give the trace arguments after --: CHAIN ADDRESS... [options]");
  return req;
}

/** An amount with its symbol and decimals (a token's symbol, never its contract); base units when unknown. */
function shown(
  amount: string,
  u: { asset: string; symbol?: string | null; decimals?: number | null },
): string {
  return u.decimals === undefined || u.decimals === null
    ? `${amount} ${u.symbol ?? u.asset} (base units)`
    : formatAmount(amount, u.decimals, u.symbol ?? u.asset);
}

function runText(name: string, r: QueryRun): string {
  const lines = [
    `run ${r.id} of "${name}": ${r.endpoints.length} endpoints (digest ${r.digest.slice(0, 16)}…)`,
  ];
  for (const e of r.endpoints)
    lines.push(`  ${e.address}  ${shown(e.amount, e)}  hop ${e.hops}  ${e.categories.join(",")}`);
  const d = r.diff;
  if (!d) lines.push("  first run: nothing to compare");
  else {
    for (const e of d.newEndpoints) lines.push(`  NEW endpoint ${e.address} ${shown(e.amount, e)}`);
    for (const c of d.changedAmounts)
      lines.push(
        `  CHANGED ${c.address} ${shown(c.previous, c)} -> ${shown(c.current, c)} (${shown(c.delta, c)})`,
      );
    for (const n of d.newPaths) lines.push(`  NEW path to ${n.address}: ${n.path}`);
    for (const e of d.goneEndpoints) lines.push(`  GONE ${e.address}`);
    if (!d.newEndpoints.length && !d.changedAmounts.length && !d.newPaths.length && !d.goneEndpoints.length)
      lines.push("  no change since the last run");
  }
  return lines.join("\n") + "\n";
}

/** `query run NAME` or `query run --all`: exit 3 when a run changed something, 1 when a query failed. */
async function runQueries(cli: Cli, name: string | undefined, o: { all?: boolean }): Promise<void> {
  if (name && o.all) throw new BadInputError("give a query name or --all, not both");
  if (!name && !o.all) throw new BadInputError("give a query name, or --all to run every saved query");
  const names = name ? [name] : (await (await cli.open()).queries.list()).map((q) => q.name);
  const runs: QueryRun[] = [];
  const failed: { query: string; error: { code: string; message: string } }[] = [];
  for (const n of names) {
    try {
      runs.push(await cli.audited("query run", `query=${n}`, (s) => s.queries.run(n)));
    } catch (e) {
      if (name) throw e;
      const err = e as { code?: string; message?: string };
      failed.push({ query: n, error: { code: err.code ?? "INTERNAL", message: err.message ?? String(e) } });
    }
  }
  if (name) cli.out(runs[0], () => runText(name, runs[0]!));
  else
    cli.out({ runs, failed }, () =>
      [
        ...runs.map((r) => runText(r.query, r)),
        ...failed.map((f) => `query "${f.query}" failed: ${f.error.message}\n`),
        names.length === 0 ? "no saved queries\n" : "",
      ].join(""),
    );
  if (failed.length > 0) cli.exitCode = EXIT_FAILURE;
  else if (runs.some(runChanged)) cli.exitCode = EXIT_ATTENTION;
}

async function evidence(cli: Cli, name: string, o: { run?: string; out?: string }) {
  const s = await cli.reading();
  const d = await s.queries.runDetail(name, o.run);
  const pkg = await s.evidence.forRun(d);
  if (!o.out) {
    cli.write(`${toJson(pkg)}\n`);
    return;
  }
  const files = await s.evidence.writeDir(o.out, pkg, d.trace);
  cli.out(
    { dir: o.out, files, responses: pkg.responses.length },
    () => `wrote ${files.length} files to ${o.out}\n`,
  );
}

/** `query save | run | list | show | schedule | evidence`: saved trace queries. */
export function queryCommand(program: Command, cli: Cli): void {
  const query = program
    .command("query")
    .description("saved trace queries: save, run (with the difference from the last run), list, show");
  query
    .command("save")
    .description(
      "save trace parameters under a name: fundtrace query save NAME -- CHAIN ADDRESS... [trace options]",
    )
    .argument("<name>")
    .argument("<traceArgs...>")
    .allowUnknownOption()
    .action(async (name: string, traceArgs: string[]) => {
      const req = savedTrace(cli, traceArgs);
      const saved = await cli.audited("query save", `query=${name}`, (s) => s.queries.save(name, req));
      cli.out(
        saved,
        () => `saved query "${saved.name}": ${saved.params.chain} ${saved.params.addresses.join(" ")}\n`,
      );
    });
  query
    .command("run")
    .description(
      "pull what is new, trace again, store the run and show what changed (exit 3 when something did)",
    )
    .argument("[name]")
    .option("--all", "run every saved query")
    .action((name: string | undefined, o: { all?: boolean }) => runQueries(cli, name, o));
  query
    .command("edit")
    .description(
      "replace a query's trace parameters: fundtrace query edit NAME -- CHAIN ADDRESS... [trace options]",
    )
    .argument("<name>")
    .argument("<traceArgs...>")
    .allowUnknownOption()
    .action(async (name: string, traceArgs: string[]) => {
      const params = savedTrace(cli, traceArgs);
      const q = await cli.audited("query edit", `query=${name}`, (s) => s.queries.edit(name, { params }));
      cli.out(q, () => `query "${q.name}": ${q.params.chain} ${q.params.addresses.join(" ")}\n`);
    });
  query
    .command("rename")
    .description("rename a query (its runs and the cases holding it follow)")
    .argument("<name>")
    .argument("<newName>")
    .action(async (name: string, newName: string) => {
      const q = await cli.audited("query rename", `query=${name} name=${newName}`, (s) =>
        s.queries.edit(name, { name: newName }),
      );
      cli.out(q, () => `renamed query "${name}" to "${q.name}"\n`);
    });
  query
    .command("delete")
    .description("delete a query and its runs (the cases holding it let go of it)")
    .argument("<name>")
    .action(async (name: string) => {
      const d = await cli.audited("query delete", `query=${name}`, (s) => s.queries.delete(name));
      cli.out(
        d,
        () =>
          `deleted query "${d.name}" and its ${d.runs} runs${d.cases.length ? `; removed from cases ${d.cases.join(", ")}` : ""}\n`,
      );
    });
  query
    .command("list")
    .description("saved queries")
    .action(async () => {
      const qs = await (await cli.reading()).queries.list();
      cli.out({ queries: qs }, () =>
        table(
          ["name", "chain", "addresses", "runs", "last run"],
          qs.map((q) => [q.name, q.params.chain, q.params.addresses.join(" "), q.runs, q.lastRun ?? "-"]),
        ),
      );
    });
  query
    .command("show")
    .description("a saved query and its runs")
    .argument("<name>")
    .action(async (name: string) => {
      const s = await cli.reading();
      const q = await s.queries.get(name);
      const runs = await s.queries.runs(name);
      const text = [
        `${q.name}: ${JSON.stringify(q.params)}`,
        ...runs.map((r) => `  run ${r.id} ${r.finishedAt} ${r.endpoints.length} endpoints`),
      ];
      cli.out({ ...q, runs }, () => text.join("\n") + "\n");
    });
  query
    .command("schedule")
    .description("rerun on its own (--every 15m; --off stops) and alert on categories (--alert-on)")
    .argument("<name>")
    .option("--every <interval>", "e.g. 15m (s, m, h or d)")
    .option("--off", "run only when asked")
    .option(
      "--alert-on <categories>",
      "categories that raise an alert (default terrorism_financing,sanction)",
    )
    .action(async (name: string, o: { every?: string; off?: boolean; alertOn?: string }) => {
      const change = scheduleChange(scheduleFlags(o), SCHEDULE_NAMES);
      const sch = await (await cli.open()).watch.scheduleQuery(name, change);
      cli.out(sch, () => `query ${name}: ${scheduleLine(sch)}\n`);
    });
  query
    .command("evidence")
    .description("the evidence package of a run (default: the latest): JSON, CSV, GraphML and raw bodies")
    .argument("<name>")
    .option("--run <id>", "run id (default: latest)")
    .option("--out <dir>", "write the package folder here (default: print the JSON)")
    .action((name: string, o: { run?: string; out?: string }) => evidence(cli, name, o));
}
