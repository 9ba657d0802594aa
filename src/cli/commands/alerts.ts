import type { Command } from "commander";
import { BadInputError } from "../../errors.ts";
import type { TraceLike } from "../../services/evidence.ts";
import type { Alert } from "../../services/watch/alerts.ts";
import { parseSince } from "../../services/watch/every.ts";
import { ALERT_STATUSES, ALERT_TRIGGERS, DELIVERY_STATES } from "../../store/alerts.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table, toJson } from "../output.ts";

interface AlertFlags {
  since?: string;
  status?: string;
  delivery?: string;
  trigger?: string;
  limit: number;
  ack?: string[];
  evidence?: string;
  out?: string;
}

function oneOf<T extends string>(flag: string, values: readonly T[], v: string | undefined): T | undefined {
  if (v === undefined) return undefined;
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new BadInputError(`${flag} must be one of ${values.join(", ")}, got "${v}"`);
}

function alertsText(as: Alert[]): string {
  if (as.length === 0) return "no alerts\n";
  return table(
    ["id", "created", "status", "delivery", "trigger", "category", "what"],
    as.map((a) => [a.id, a.createdAt, a.status, a.delivery, a.trigger, a.category, a.message]),
  );
}

async function evidence(cli: Cli, id: string, out: string | undefined): Promise<void> {
  const s = await cli.open();
  const pkg = await s.watch.alertEvidence(id);
  if (!out) {
    cli.write(`${toJson(pkg)}\n`);
    return;
  }
  // the package's result is the trace-like fact it was built from, as JSON
  const files = await s.evidence.writeDir(out, pkg, pkg.result as TraceLike);
  cli.out(
    { dir: out, files, responses: pkg.responses.length },
    () => `wrote ${files.length} files to ${out}\n`,
  );
}

/** `alerts [--since T] [--status S] [--ack ID...] [--evidence ID]`: the watch's alerts. */
export function alertsCommand(program: Command, cli: Cli): void {
  program
    .command("alerts")
    .description(
      "alerts of the watch, newest first (--json: a list); --ack acknowledges, --evidence shows what one rests on",
    )
    .option("--since <t>", "only since this ISO date/time, or for this long back (24h, 7d)")
    .option("--status <s>", `only ${ALERT_STATUSES.join(" or ")}`)
    .option("--delivery <d>", `only ${DELIVERY_STATES.join(", ")}`)
    .option("--trigger <t>", `only ${ALERT_TRIGGERS.join(", ")}`)
    .option("--limit <n>", "at most this many", numberArg("--limit", { min: 1, max: 10_000 }), 100)
    .option("--ack <id...>", "acknowledge these alerts")
    .option("--evidence <id>", "the evidence package an alert rests on (JSON, or a folder with --out)")
    .option("--out <dir>", "with --evidence: write the package folder here")
    .action(async (o: AlertFlags) => {
      if (o.evidence) return evidence(cli, o.evidence, o.out);
      const filter = {
        status: oneOf("--status", ALERT_STATUSES, o.status),
        delivery: oneOf("--delivery", DELIVERY_STATES, o.delivery),
        trigger: oneOf("--trigger", ALERT_TRIGGERS, o.trigger),
        since: o.since === undefined ? undefined : parseSince(o.since),
        limit: o.limit,
      };
      const alerts = (await cli.open()).watch.alerts;
      if (o.ack) {
        const acked: Alert[] = [];
        for (const id of o.ack) acked.push(await alerts.ack(id, "cli"));
        cli.out(acked, () => acked.map((a) => `acknowledged ${a.id}: ${a.message}\n`).join(""));
        return;
      }
      const list = await alerts.list(filter);
      cli.out(list, () => alertsText(list));
    });
}
