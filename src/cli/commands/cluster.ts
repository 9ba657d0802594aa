import type { Command } from "commander";
import { BadInputError } from "../../errors.ts";
import type { ClusterInfo, ClusterRunResult, Heuristic } from "../../services/cluster.ts";
import type { Cli } from "../context.ts";
import { listArg, numberArg } from "../options.ts";

function runText(r: ClusterRunResult): string {
  const coinjoins = Object.entries(r.coinjoins)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return (
    [
      `${r.chain}: ${r.transactions} new transactions, ${r.merges} merges, ${r.clusters} clusters (largest ${r.largest})`,
      `CoinJoins not merged: ${coinjoins || "none"}`,
      `change guesses: ${r.changeGuesses}`,
    ].join("\n") + "\n"
  );
}

function clusterText(c: ClusterInfo): string {
  const lines = [
    `cluster ${c.id} on ${c.chain}: ${c.size} addresses${c.isService ? " (likely a service)" : ""}`,
  ];
  for (const m of c.members.slice(0, 50)) lines.push(`  member ${m}`);
  if (c.members.length > 50) lines.push(`  … ${c.members.length - 50} more`);
  for (const l of c.labels) lines.push(`  label ${l.address}: ${l.category} ${l.label} (${l.source})`);
  for (const e of c.evidence.slice(0, 50))
    lines.push(`  merge ${e.heuristic} in ${e.txid}: ${e.addresses[0]} + ${e.addresses[1]}`);
  return lines.join("\n") + "\n";
}

interface ClusterFlags {
  heuristics: string;
  full?: boolean;
  serviceThreshold: number;
}

/** `cluster CHAIN` (recompute) and `cluster show CHAIN ADDRESS` (one cluster with its evidence). */
export function clusterCommand(program: Command, cli: Cli): void {
  const cluster = program
    .command("cluster")
    .description("(re)compute clusters of a chain, or show one with its evidence")
    .argument("[chain]", "bitcoin")
    .option("--heuristics <list>", "multi-input[,change]", "multi-input")
    .option("--full", "recompute from scratch instead of adding new transactions")
    .option(
      "--service-threshold <n>",
      "clusters this large are flagged as services",
      numberArg("--service-threshold", { min: 2 }),
      1000,
    )
    .action(async (chain: string | undefined, o: ClusterFlags) => {
      if (!chain) throw new BadInputError("give a chain: fundtrace cluster bitcoin");
      const s = await cli.open();
      const p = cli.progress();
      const r = await s.clusters.cluster(chain, {
        heuristics: listArg(o.heuristics) as Heuristic[],
        full: o.full,
        serviceThreshold: o.serviceThreshold,
        progress: (d, t, w) => p.update(d, t, w),
      });
      cli.out(r, () => runText(r));
    });
  cluster
    .command("show")
    .description("one address's cluster: members, labels, evidence")
    .argument("<chain>")
    .argument("<address>")
    .action(async (chain: string, address: string) => {
      const s = await cli.reading();
      const c = await s.clusters.show(chain, address);
      cli.out(c, () => clusterText(c));
    });
}
