import type { Command } from "commander";
import { gapNotes, validateIngestInput } from "../../services/ingest.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

/** `ingest CHAIN ADDRESS...`: the full history of these addresses, incremental on rerun. */
export function ingestCommand(program: Command, cli: Cli): void {
  program
    .command("ingest")
    .description("pull the full history of these addresses (incremental on rerun)")
    .argument("<chain>", "bitcoin, ethereum (or another EVM chain), tron")
    .argument("<addresses...>")
    .option(
      "--from-block <n>",
      "EVM and Tron: first block to read (default: genesis, or where the last run stopped)",
      numberArg("--from-block", { min: 0 }),
    )
    .option(
      "--to-block <n>",
      "EVM and Tron: last block to read (default: tip less FUNDTRACE_EVM_CONFIRMATIONS)",
      numberArg("--to-block", { min: 0 }),
    )
    .action(async (chain: string, addresses: string[], o: { fromBlock?: number; toBlock?: number }) => {
      validateIngestInput(chain, addresses);
      const s = await cli.open({ fromBlock: o.fromBlock, toBlock: o.toBlock });
      const p = cli.progress();
      const r = await s.ingest.ingest(chain, addresses, (d, t, w) => p.update(d, t, w));
      cli.out(
        r,
        () =>
          table(
            ["address", "new/changed txs", "unconfirmed", "corrected", "pages", "state"],
            r.addresses.map((a) => [
              a.address,
              a.written,
              a.mempool,
              a.corrected,
              a.pages,
              a.upToDate ? "up to date" : "updated",
            ]),
          ) +
          `${r.requests} upstream requests (${r.retries} retries) to ${r.source}\n` +
          gapNotes(r.gaps),
      );
    });
}
