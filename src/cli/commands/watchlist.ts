import type { Command } from "commander";
import { BadInputError, quote } from "../../errors.ts";
import type { ScreenItem } from "../../services/screen.ts";
import { scheduleChange } from "../../services/watch/every.ts";
import type { Watchlist } from "../../services/watch/watchlists.ts";
import type { Cli } from "../context.ts";
import { table } from "../output.ts";
import { readInput } from "./screen.ts";
import { SCHEDULE_NAMES, scheduleFlags, scheduleLine } from "./watch.ts";

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

type ScheduleOpts = { every?: string; off?: boolean; alertOn?: string };

function watchlistText(w: Watchlist): string {
  const lines = [`watchlist ${w.name}: ${w.addresses} addresses; ${scheduleLine(w.schedule)}`];
  for (const i of w.items) lines.push(`  ${i.chain} ${i.address}`);
  return lines.join("\n") + "\n";
}

/** `watchlist create | list | show | schedule | run | delete`: named chain,address lists the watch screens. */
export function watchlistCommand(program: Command, cli: Cli): void {
  const wl = program
    .command("watchlist")
    .description(
      "named lists of chain,address lines (a customer book, a case's wallets) screened by the watch",
    );
  wl.command("create")
    .description("create a watchlist from chain,address lines (FILE, or - for stdin)")
    .argument("<name>")
    .argument("<file>")
    .option("--every <interval>", "rerun on its own, e.g. 24h (s, m, h or d)")
    .option(
      "--alert-on <categories>",
      "categories that raise an alert (default terrorism_financing,sanction)",
    )
    .option("--replace", "replace the entries of an existing watchlist")
    .action(async (name: string, file: string, o: ScheduleOpts & { replace?: boolean }) => {
      const items = parseScreenLines(await readInput(file, cli.io));
      const change = scheduleChange(scheduleFlags(o), SCHEDULE_NAMES);
      const w = await (await cli.open()).watch.watchlists.create(name, items, {
        ...change,
        replace: o.replace,
      });
      cli.out(w, () => `watchlist ${w.name}: ${w.addresses} addresses; ${scheduleLine(w.schedule)}\n`);
    });
  wl.command("list").action(async () => {
    const ws = await (await cli.open()).watch.watchlists.list();
    cli.out({ watchlists: ws }, () =>
      table(
        ["name", "addresses", "every", "next run", "alerts on", "last run"],
        ws.map((w) => [
          w.name,
          w.addresses,
          w.schedule.every ?? "-",
          w.schedule.nextRunAt ?? "-",
          w.schedule.alertOn.join(","),
          w.schedule.lastRun?.finishedAt ?? "-",
        ]),
      ),
    );
  });
  wl.command("show")
    .argument("<name>")
    .action(async (name: string) => {
      const w = await (await cli.open()).watch.watchlists.get(name);
      cli.out(w, () => watchlistText(w));
    });
  wl.command("schedule")
    .description("set how often it reruns (--every 24h, or --off) and what it alerts on")
    .argument("<name>")
    .option("--every <interval>", "e.g. 24h (s, m, h or d)")
    .option("--off", "run only when asked")
    .option("--alert-on <categories>", "categories that raise an alert")
    .action(async (name: string, o: ScheduleOpts) => {
      const change = scheduleChange(scheduleFlags(o), SCHEDULE_NAMES);
      const sch = await (await cli.open()).watch.scheduleWatchlist(name, change);
      cli.out(sch, () => `watchlist ${name}: ${scheduleLine(sch)}\n`);
    });
  wl.command("run")
    .description("fetch what is new for its addresses and screen it now")
    .argument("<name>")
    .action(async (name: string) => {
      const r = await (await cli.open()).watch.runWatchlist(name);
      cli.out(r, () =>
        [
          `watchlist ${name}: ${r.addresses} addresses screened, ${r.alerts.length} new alerts${r.alerts.length ? ` (${r.alerts.join(", ")})` : ""}\n`,
          ...r.notFetched.map((n) => `note: ${n.addresses} ${n.chain} addresses not fetched: ${n.reason}\n`),
        ].join(""),
      );
    });
  wl.command("delete")
    .argument("<name>")
    .action(async (name: string) => {
      await (await cli.open()).watch.watchlists.delete(name);
      cli.out({ deleted: name }, () => `deleted watchlist ${name} (its alerts stay)\n`);
    });
}
