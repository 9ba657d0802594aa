import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatAmount } from "../src/core/amount.ts";
import type { DemoReport, DemoTrace } from "../src/demo/run.ts";
import { runBin, runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

/**
 * Issue 17 point 4: the README's commands after the quick start reproduce the figures the demo
 * printed. The commands are read from the README's runnable block as written (only the --db path is
 * replaced), run as written (exit codes, text), then again with --json, and every figure is compared
 * with the demo's own report: cluster, trace endpoints, exposure, saved query, case, screening.
 */

const dir = tempDir();
const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

interface ReadmeCommand {
  line: string;
  /** Arguments after ./bin/fundtrace, the --db path replaced. */
  args: string[];
  /** Exit codes the README accepts (`|| [ $? -eq 3 ]` adds 3). */
  accepted: number[];
  /** The subcommand, e.g. "cluster show", "trace". */
  command: string;
}

/** The runnable block that explores the demo's database, one command per line. */
function readmeCommands(db: string): ReadmeCommand[] {
  const blocks = [...README.matchAll(/```sh runnable\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.includes("--db data/demo.duckdb"));
  expect(block, "README has a runnable block on data/demo.duckdb").toBeDefined();
  return block!
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [cmd, ...alt] = line.replace(/\s+#.*$/, "").split("||");
      const tokens = cmd!.trim().split(/\s+/);
      expect(tokens[0], line).toBe("./bin/fundtrace");
      const args = tokens.slice(1);
      const at = args.indexOf("--db");
      expect(args[at + 1], line).toBe("data/demo.duckdb");
      args[at + 1] = db;
      const extra = alt.join("||").match(/\$\? -eq (\d+)/);
      // the subcommand: the words after the global options (--db PATH, --offline)
      const words = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--db");
      const command = ["cluster", "query", "case"].includes(words[0]!)
        ? words.slice(0, 2).join(" ")
        : words[0]!;
      return { line, args, accepted: [0, ...(extra ? [Number(extra[1])] : [])], command };
    });
}

const option = (c: ReadmeCommand, name: string) => c.args[c.args.indexOf(name) + 1];

/** A trace answer as the demo reports it (endpoints by amount, their paths as txids). */
function asDemoTrace(t: any): Omit<DemoTrace, "requests" | "chain"> {
  return {
    model: t.model,
    start: t.start,
    maxHops: t.maxHops,
    endpoints: [...t.endpoints]
      .sort((a: any, b: any) =>
        BigInt(b.amount) > BigInt(a.amount) ? 1 : BigInt(b.amount) < BigInt(a.amount) ? -1 : 0,
      )
      .map((e: any) => ({
        address: e.address,
        labels: e.labels,
        categories: e.categories,
        stop: e.stop,
        amount: e.amount,
        asset: e.asset,
        symbol: e.symbol ?? null,
        decimals: e.decimals ?? null,
        hops: e.hops,
        paths: e.paths.map((p: any) => p.hops.map((h: any) => h.txid)),
      })),
    addressesVisited: t.stats.addressesVisited,
  };
}

describe("README after the demo", () => {
  it("its commands, run as written on the demo's database, give the figures the demo printed", {
    tags: ["slow"],
    timeout: 240_000,
  }, async () => {
    const db = join(dir, "demo.duckdb");
    const demo = await runBin(["--json", "--db", db, "demo", "--no-serve", "--out", join(dir, "ev")]);
    expect(demo.code, demo.stderr).toBe(0);
    const rep = JSON.parse(demo.stdout) as DemoReport;
    const commands = readmeCommands(db);
    expect(commands.map((c) => c.command)).toEqual([
      "cluster show",
      "trace",
      "exposure",
      "query show",
      "case show",
      "screen",
    ]);
    const btc = rep.bitcoin;
    for (const c of commands) {
      const text = await runCli(c.args);
      expect(c.accepted, `${c.line}\n${text.stderr}`).toContain(text.code);
      const json = await runCli(["--json", ...c.args]);
      expect(json.code, c.line).toBe(text.code);
      const r = JSON.parse(json.stdout);
      switch (c.command) {
        case "cluster show":
          expect({ size: r.size, members: r.members }, c.line).toEqual({
            size: btc.cluster.size,
            members: btc.cluster.members,
          });
          expect(text.stdout).toContain(`${btc.cluster.size} addresses`);
          break;
        case "trace": {
          // the demo's trace of the same model and hop limit, from every address of the cluster
          const model = option(c, "--model");
          const mine = btc.traces.find((t) => t.model === model);
          expect(mine, `the demo traced with ${model}`).toBeDefined();
          expect(Number(option(c, "--hops"))).toBe(mine!.maxHops);
          const { requests: _r, chain: _c, ...want } = mine!;
          expect(asDemoTrace(r), c.line).toEqual({ ...want, start: [...want.start].sort() });
          for (const e of mine!.endpoints)
            expect(text.stdout).toContain(
              `${formatAmount(e.amount, e.decimals, e.symbol)}  hop ${e.hops}  ${e.address}`,
            );
          break;
        }
        case "exposure":
          expect(r.risk, c.line).toEqual(btc.exposure);
          expect(r.coverage.complete, "the demo's database holds everything this exposure reads").toBe(true);
          expect(text.stdout).toContain(`risk ${btc.exposure.band.toUpperCase()} (${btc.exposure.score})`);
          break;
        case "query show": {
          expect(r.params.addresses, c.line).toEqual(btc.cluster.members);
          expect(r.runs).toHaveLength(1);
          expect({ endpoints: r.runs[0].endpoints.length, digest: r.runs[0].digest }).toEqual({
            endpoints: rep.analyst.endpoints,
            digest: rep.analyst.digest,
          });
          break;
        }
        case "case show":
          expect(
            r.wallets.map((w: any) => `${w.chain} ${w.address}`),
            c.line,
          ).toEqual([
            `${rep.token.chain} ${rep.token.flagged}`,
            ...btc.cluster.members.map((a) => `bitcoin ${a}`),
          ]);
          expect(r.queries.map((q: any) => q.name)).toEqual([rep.analyst.query]);
          break;
        case "screen": {
          // the one sanctioned row is the terror-financing wallet the demo's USDT reached
          const gaza = rep.token.traces[0]!.endpoints.find((e) =>
            e.categories.includes("terrorism_financing"),
          )!;
          expect(text.code, "a sanctioned row: exit 3").toBe(3);
          expect(
            r.results.filter((x: any) => x.sanctioned).map((x: any) => [x.address, x.categories]),
            c.line,
          ).toEqual([[gaza.address, gaza.categories]]);
          break;
        }
        default:
          throw new Error(`add a comparison with the demo's report for: ${c.line}`);
      }
    }
  });
});
