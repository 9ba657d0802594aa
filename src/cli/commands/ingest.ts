import type { Command } from "commander";
import { checkIngestInput, gapNotes, type IngestResult } from "../../services/ingest.ts";
import type { Cli } from "../context.ts";
import { numberArg } from "../options.ts";
import { table } from "../output.ts";

interface IngestFlags {
  fromBlock?: number;
  toBlock?: number;
  since?: string;
  until?: string;
}

function ingestText(r: IngestResult): string {
  const w = r.window;
  return (
    (w
      ? `only transactions ${[w.since && `from ${w.since}`, w.until && `to ${w.until}`].filter(Boolean).join(" ")}\n`
      : "") +
    table(
      ["address", "new/changed txs", "unconfirmed", "corrected", "pages", "state"],
      r.addresses.map((a) => [
        a.address,
        a.written,
        a.mempool,
        a.corrected,
        a.pages,
        !a.complete ? "partial (time window)" : a.upToDate ? "up to date" : "updated",
      ]),
    ) +
    `${r.requests} upstream requests (${r.retries} retries) to ${r.source}\n` +
    gapNotes(r.gaps) +
    r.addresses
      .filter((a) => a.partial)
      .map((a) => `note: ${a.address}: ${a.partial}; run: fundtrace ingest ${r.chain} ${a.address}\n`)
      .join("")
  );
}

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
    .option(
      "--since <time>",
      "only transactions from this UTC date (2024-03-01) or ISO 8601 time (the history stays partial)",
    )
    .option("--until <time>", "only transactions up to this time (a date: to the end of that day)")
    .action(async (chain: string, addresses: string[], o: IngestFlags) => {
      // bad input fails before the store is opened: nothing changes
      const input = checkIngestInput(
        { chain, addresses, since: o.since, until: o.until },
        { since: "--since", until: "--until" },
      );
      const s = await cli.open({ fromBlock: o.fromBlock, toBlock: o.toBlock });
      const p = cli.progress();
      const r = await s.ingest.ingest(input.chain, input.addresses, (d, t, w) => p.update(d, t, w), {
        since: input.since,
        until: input.until,
      });
      cli.out(r, () => ingestText(r));
    });
}
