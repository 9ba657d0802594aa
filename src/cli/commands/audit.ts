import type { Command } from "commander";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

/** `audit`: the audit log of API writes. */
export function auditCommand(program: Command, cli: Cli): void {
  program
    .command("audit")
    .description("the audit log of API writes, newest first")
    .option("--limit <n>", "entries", numberArg("--limit", { min: 1 }), 100)
    .action(async (o: { limit: number }) => {
      const es = await (await cli.reading()).audit.list(o.limit);
      cli.out({ entries: es }, () =>
        table(
          ["at", "key", "action", "target", "status"],
          es.map((e) => [e.at, e.keyId, e.action, e.target ?? "", e.status]),
        ),
      );
    });
}
