import { type Command, Option } from "commander";
import type { ExposureResponse } from "../../services/trace.ts";
import { amountFor, coverageText } from "../../services/trace-answer.ts";
import { TRACE_DEFAULTS, TRACE_MODELS } from "../../services/trace-input.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

interface ExposureFlags {
  hops: number;
  direction: "in" | "out" | "both";
  model: (typeof TRACE_MODELS)[number];
  maxAddresses: number;
  since?: string;
  until?: string;
}

function exposureText(r: ExposureResponse, o: ExposureFlags): string {
  const rows = [
    ...r.direct.map((e) => ({ ...e, kind: "direct" })),
    ...r.indirect.map((e) => ({ ...e, kind: "indirect" })),
  ];
  const w = r.window;
  return (
    [
      `exposure of ${r.address} on ${r.chain} (${o.model}, ${o.hops} hops): risk ${r.risk.band.toUpperCase()} (${r.risk.score})${r.truncated ? " TRUNCATED by the address budget" : ""}`,
      ...(w
        ? [
            `  only transactions ${[w.since && `from ${w.since}`, w.until && `to ${w.until}`].filter(Boolean).join(" ")} (blocks ${w.fromHeight ?? "-"}..${w.toHeight ?? "-"})`,
          ]
        : []),
      ...r.risk.reasons.map((x) => `  - ${x}`),
      rows.length
        ? table(
            ["kind", "dir", "category", "amount", "share", "addresses"],
            rows.map((e) => [
              e.kind,
              e.direction,
              e.category,
              amountFor(e.amount, e, e.asset),
              e.share,
              e.addresses,
            ]),
          )
        : r.risk.band === "unknown"
          ? "  nothing is stored of this address: no exposure could be computed\n"
          : "  no labelled counterparties within reach\n",
    ].join("\n") + coverageText(r.coverage)
  );
}

/** `exposure CHAIN ADDRESS`: direct and indirect exposure by category, with a risk band. */
export function exposureCommand(program: Command, cli: Cli): void {
  program
    .command("exposure")
    .description("direct and indirect exposure by category, in and out, with a risk score and band")
    .argument("<chain>")
    .argument("<address>")
    .option("--hops <n>", "indirect exposure up to N hops (max 12)", numberArg("--hops"), 3)
    .addOption(
      new Option("--direction <d>", "in, out or both").choices(["in", "out", "both"]).default("both"),
    )
    .addOption(new Option("--model <m>", "taint model").choices(TRACE_MODELS).default(TRACE_DEFAULTS.model))
    .option(
      "--max-addresses <n>",
      "expansion budget",
      numberArg("--max-addresses", { min: 1 }),
      TRACE_DEFAULTS.maxAddresses,
    )
    .option("--since <time>", "only transactions from this UTC date (2024-03-01) or ISO 8601 time")
    .option("--until <time>", "only transactions up to this time (a date: to the end of that day)")
    .action(async (chain: string, address: string, o: ExposureFlags) => {
      // offline it only reads what is stored
      const s = await cli.open({}, { readOnly: cli.offline });
      const r = await s.traces.exposure(chain, address, o);
      cli.out(r, () => exposureText(r, o));
    });
}
