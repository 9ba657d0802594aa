import type { Command } from "commander";
import type { AddressInfo } from "../../services/addresses.ts";
import type { Cli } from "../context.ts";

function addressText(info: AddressInfo): string {
  const st = info.stats;
  const lines = [
    `${info.chain} ${info.address}`,
    `  transactions ${st.txCount}  received ${st.received}  sent ${st.sent}  balance ${st.balance} (${st.asset} base units)`,
    ...(st.pending
      ? [
          `  pending (mempool): transactions ${st.pending.txCount}  received ${st.pending.received}  sent ${st.pending.sent}  balance change ${st.pending.balance}`,
        ]
      : []),
    ...(st.partial ? [`  not exact: ${st.partial}`] : []),
    `  first seen ${st.firstSeen ?? "-"}  last seen ${st.lastSeen ?? "-"}`,
    `  cluster ${info.cluster ? `${info.cluster.id} (${info.cluster.size} addresses)` : "-"}`,
  ];
  if (info.labels.length === 0) lines.push("  no labels");
  for (const l of info.labels)
    lines.push(`  label ${l.category}: ${l.label} (${l.source}${l.program ? `, ${l.program}` : ""})`);
  return lines.join("\n") + "\n";
}

/** `address CHAIN ADDRESS`: labels, cluster and stats (as GET /v1/addresses/...). */
export function addressCommand(program: Command, cli: Cli): void {
  program
    .command("address")
    .description("what is known of one address: labels, cluster, stats")
    .argument("<chain>")
    .argument("<address>")
    .action(async (chain: string, address: string) => {
      const info = await (await cli.reading()).addresses.info(chain, address);
      cli.out(info, () => addressText(info));
    });
}
