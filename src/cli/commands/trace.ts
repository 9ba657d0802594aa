import { type Command, Option } from "commander";
import { MAX_HOPS } from "../../core/trace.ts";
import type { TraceResponse } from "../../services/trace.ts";
import { traceCsv, traceGraphml, traceTable } from "../../services/trace-format.ts";
import {
  parseTraceInput,
  TRACE_DEFAULTS,
  TRACE_DIRECTIONS,
  TRACE_MODELS,
  type TraceInput,
} from "../../services/trace-input.ts";
import type { Cli } from "../context.ts";
import { listArg, numberArg } from "../options.ts";
import { toJson } from "../output.ts";

export interface TraceFlags {
  direction: (typeof TRACE_DIRECTIONS)[number];
  hops: number;
  model: (typeof TRACE_MODELS)[number];
  minValue?: string;
  stopAt: string;
  to?: string;
  maxAddresses: number;
  since?: string;
  until?: string;
  cluster?: boolean;
}

/** The trace options of SPEC, shared by `trace` and `query save`. */
export function withTraceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--direction <d>", "forward: where it went; backward: where it came from")
        .choices(TRACE_DIRECTIONS)
        .default(TRACE_DEFAULTS.direction),
    )
    .option(`--hops <n>`, `hop limit (max ${MAX_HOPS})`, numberArg("--hops"), TRACE_DEFAULTS.maxHops)
    .addOption(new Option("--model <m>", "taint model").choices(TRACE_MODELS).default(TRACE_DEFAULTS.model))
    .option("--min-value <amount>", "ignore taint below this many base units")
    .option(
      "--stop-at <categories>",
      "report and do not follow these categories",
      TRACE_DEFAULTS.stopAt.join(","),
    )
    .option("--to <targets>", "link search: only paths ending at these categories or addresses")
    .option(
      "--max-addresses <n>",
      "expansion budget",
      numberArg("--max-addresses"),
      TRACE_DEFAULTS.maxAddresses,
    )
    .option("--since <time>", "only transactions from this UTC date (2024-03-01) or ISO 8601 time")
    .option("--until <time>", "only transactions up to this time (a date: to the end of that day)")
    .option("--cluster", "start from every address of each address's cluster (the wallet)");
}

/** The flags as the API's trace body, checked by the same schema (same messages, same codes). */
export function traceInput(chain: string, addresses: string[], o: TraceFlags): TraceInput {
  const to = listArg(o.to);
  const isCategory = (x: string) => /^[a-z_]+$/.test(x);
  return parseTraceInput({
    chain,
    addresses,
    direction: o.direction,
    maxHops: o.hops,
    model: o.model,
    minValue: o.minValue,
    stopAt: listArg(o.stopAt),
    targets: o.to
      ? { categories: to.filter(isCategory), addresses: to.filter((x) => !isCategory(x)) }
      : undefined,
    maxAddresses: o.maxAddresses,
    since: o.since,
    until: o.until,
    cluster: o.cluster,
  });
}

function render(r: TraceResponse, format: string): string {
  switch (format) {
    case "json":
      return `${toJson(r)}\n`;
    case "csv":
      return traceCsv(r);
    case "graphml":
      return traceGraphml(r);
    default:
      return traceTable(r);
  }
}

/** `trace CHAIN ADDRESS... [options]`: follow funds hop by hop. */
export function traceCommand(program: Command, cli: Cli): void {
  withTraceOptions(
    program
      .command("trace")
      .description("follow funds hop by hop to exchanges, sanctioned and terror-linked wallets")
      .argument("<chain>")
      .argument("<addresses...>"),
  )
    .addOption(
      new Option("--format <f>", "output (html: the self-contained report for people)")
        .choices(["table", "json", "csv", "graphml", "html"])
        .default("table"),
    )
    .option(
      "--evidence <dir>",
      "also write the evidence package (JSON, HTML report, CSV, GraphML, raw bodies) here",
    )
    .action(
      async (chain: string, addresses: string[], o: TraceFlags & { format: string; evidence?: string }) => {
        const req = traceInput(chain, addresses, o);
        // offline it only reads what is stored
        const s = await cli.open({}, { readOnly: cli.offline });
        const p = cli.progress();
        const r = await s.traces.trace(req, (round, what) => p.update(round, round + 1, what));
        const html = o.format === "html" && !cli.json;
        const pkg = o.evidence || html ? await s.evidence.build(req, r) : undefined;
        if (o.evidence && pkg) {
          await s.evidence.writeDir(o.evidence, pkg, r);
          cli.io.stderr.write(
            `evidence package: ${o.evidence}/evidence.json (${pkg.responses.length} upstream responses, ${pkg.unsourced.length} refs unsourced)\n`,
          );
        }
        cli.write(html && pkg ? await s.evidence.report(pkg, r) : render(r, cli.json ? "json" : o.format));
      },
    );
}
