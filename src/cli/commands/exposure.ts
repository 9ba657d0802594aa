import { type Command, Option } from "commander";
import { gapNotes } from "../../services/ingest.ts";
import type { ExposureResponse } from "../../services/trace.ts";
import { TRACE_DEFAULTS, TRACE_MODELS } from "../../services/trace-input.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

interface ExposureFlags {
  hops: number;
  direction: "in" | "out" | "both";
  model: (typeof TRACE_MODELS)[number];
  maxAddresses: number;
}

function exposureText(r: ExposureResponse, o: ExposureFlags): string {
  const rows = [
    ...r.direct.map((e) => ({ ...e, kind: "direct" })),
    ...r.indirect.map((e) => ({ ...e, kind: "indirect" })),
  ];
  return (
    [
      `exposure of ${r.address} on ${r.chain} (${o.model}, ${o.hops} hops): risk ${r.risk.band.toUpperCase()} (${r.risk.score})${r.truncated ? " TRUNCATED by the address budget" : ""}`,
      ...r.risk.reasons.map((x) => `  - ${x}`),
      rows.length
        ? table(
            ["kind", "dir", "category", "amount", "asset", "share", "addresses"],
            rows.map((e) => [
              e.kind,
              e.direction,
              e.category,
              e.amount.toString(),
              e.asset,
              e.share,
              e.addresses,
            ]),
          )
        : "  no labelled counterparties within reach\n",
    ].join("\n") + gapNotes(r.gaps)
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
    .action(async (chain: string, address: string, o: ExposureFlags) => {
      // offline it only reads what is stored
      const s = await cli.open({}, { readOnly: cli.offline });
      const r = await s.traces.exposure(chain, address, o);
      cli.out(r, () => exposureText(r, o));
    });
}
