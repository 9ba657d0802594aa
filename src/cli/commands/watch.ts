import type { Command } from "commander";
import { FundtraceError } from "../../errors.ts";
import { createLogger } from "../../log.ts";
import type { Schedule } from "../../services/watch/index.ts";
import type { RunOutcome } from "../../services/watch/scheduler.ts";
import type { Cli } from "../context.ts";
import { listArg } from "../options.ts";
import { table } from "../output.ts";
import { untilSignal } from "../shutdown.ts";

/** `--every 15m`, `--off` and `--alert-on a,b` as a schedule change (checked by the service's parser). */
export function scheduleFlags(o: { every?: string; off?: boolean; alertOn?: string }) {
  return {
    every: o.off ? null : o.every,
    alertOn: o.alertOn === undefined ? undefined : listArg(o.alertOn),
  };
}

export const SCHEDULE_NAMES = { every: "--every", alertOn: "--alert-on" };

/** One line: "every 15m, next 2026-…; alerts on terrorism_financing,sanction; last run ok (…)". */
export function scheduleLine(s: Schedule): string {
  const when = s.every ? `every ${s.every}, next ${s.nextRunAt ?? "now"}` : "runs when asked";
  const last = s.lastRun
    ? `; last run ${s.lastRun.status ?? "unfinished"} ${s.lastRun.finishedAt ?? s.lastRun.startedAt ?? ""}${s.lastRun.error ? `: ${s.lastRun.error}` : s.lastRun.summary ? ` (${s.lastRun.summary})` : ""}`
    : "";
  const skipped = s.skipped ? `; ${s.skipped} skipped (overlapping)` : "";
  return `${when}; alerts on ${s.alertOn.join(",")}${last}${skipped}`;
}

function outcomesText(outs: RunOutcome[]): string {
  if (outs.length === 0) return "nothing due\n";
  return outs
    .map((o) => `${o.kind} ${o.name}: ${o.status === "ok" ? o.summary : `FAILED: ${o.error}`}\n`)
    .join("");
}

async function listSchedules(cli: Cli): Promise<void> {
  const s = await cli.open();
  const schedules = await s.watch.schedules.list();
  const pending = await s.watch.pendingLabelChanges();
  cli.out({ schedules, pendingLabelChanges: pending }, () => {
    const rows = table(
      ["kind", "name", "every", "next run", "alerts on", "last run", "skipped"],
      schedules.map((x) => [
        x.kind,
        x.name,
        x.every ?? "-",
        x.nextRunAt ?? "-",
        x.alertOn.join(","),
        x.lastRun ? `${x.lastRun.status ?? "unfinished"} ${x.lastRun.finishedAt ?? ""}` : "-",
        x.skipped,
      ]),
    );
    const notes = pending.map(
      (p) => `label change of ${p.dataset} not re-screened yet${p.error ? `: ${p.error}` : ""}\n`,
    );
    return rows + notes.join("");
  });
}

/** `watch [--once] [--list]`: the scheduler and webhook delivery without the API. */
export function watchCommand(program: Command, cli: Cli): void {
  program
    .command("watch")
    .description(
      "rerun scheduled saved queries and watchlists when due and deliver alerts to webhooks, without the API (until Ctrl-C)",
    )
    .option("--once", "run what is due now, deliver pending alerts once, and exit (for cron)")
    .option("--list", "show the schedules and exit")
    .action(async (o: { once?: boolean; list?: boolean }) => {
      if (o.list) return listSchedules(cli);
      const s = await cli.open();
      const log = createLogger(cli.config?.logLevel);
      const scheduler = s.watch.scheduler({ log });
      if (o.once) {
        const outs = await scheduler.runDue();
        cli.out({ runs: outs }, () => outcomesText(outs));
        const failed = outs.filter((x) => x.status === "failed").length;
        if (failed > 0) throw new FundtraceError("INTERNAL", `${failed} of ${outs.length} runs failed`);
        return;
      }
      scheduler.start();
      const n = (await s.watch.schedules.list()).filter((x) => x.every).length;
      cli.io.stderr.write(
        `fundtrace watch: ${n} scheduled; alerts go to ${(await s.watch.webhooks.list()).length} webhook(s); Ctrl-C stops\n`,
      );
      await untilSignal();
      await scheduler.stop();
    });
}
