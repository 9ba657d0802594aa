import { Command } from "commander";
import { VERSION } from "../config.ts";
import { addressCommand } from "./commands/address.ts";
import { alertsCommand } from "./commands/alerts.ts";
import { auditCommand } from "./commands/audit.ts";
import { caseCommand } from "./commands/case.ts";
import { clusterCommand } from "./commands/cluster.ts";
import { demoCommand } from "./commands/demo.ts";
import { exposureCommand } from "./commands/exposure.ts";
import { ingestCommand } from "./commands/ingest.ts";
import { labelsCommand } from "./commands/labels.ts";
import { queryCommand } from "./commands/query.ts";
import { screenCommand } from "./commands/screen.ts";
import { serveCommand } from "./commands/serve.ts";
import { traceCommand } from "./commands/trace.ts";
import { watchCommand } from "./commands/watch.ts";
import { watchlistCommand } from "./commands/watchlist.ts";
import { webhookCommand } from "./commands/webhook.ts";
import { Cli } from "./context.ts";
import { numberArg } from "./options.ts";
import { defaultIO, type IO } from "./output.ts";
import { run } from "./shutdown.ts";

/** Every command, in the order `--help` lists them; each file in commands/ registers one (or a group). */
const COMMANDS = [
  labelsCommand,
  screenCommand,
  ingestCommand,
  clusterCommand,
  traceCommand,
  exposureCommand,
  queryCommand,
  caseCommand,
  watchlistCommand,
  alertsCommand,
  webhookCommand,
  watchCommand,
  auditCommand,
  addressCommand,
  serveCommand,
  demoCommand,
];

function program(io: IO): Command {
  return new Command()
    .name("fundtrace")
    .description("Trace crypto flows to exchanges, sanctioned parties and terror-financing wallets.")
    .version(VERSION)
    .option("--db <path>", "DuckDB file (env FUNDTRACE_DB)", undefined)
    .option("--json", "machine output on stdout (same document as the API)")
    .option("--esplora-url <url>", "Esplora API base (env FUNDTRACE_ESPLORA_URL)")
    .option("--evm-rpc-url <url>", "EVM JSON-RPC node (env FUNDTRACE_EVM_RPC_URL)")
    .option("--etherscan-url <url>", "Etherscan-compatible API (env FUNDTRACE_ETHERSCAN_URL)")
    .option("--etherscan-key <key>", "Etherscan API key (env ETHERSCAN_API_KEY)")
    .option(
      "--etherscan-flavor <f>",
      "etherscan-v2 or blockscout (env FUNDTRACE_ETHERSCAN_FLAVOR; default: v2 with a key)",
    )
    .option(
      "--tron-url <url>",
      "TronGrid API (env FUNDTRACE_TRON_URL; default https://api.trongrid.io; key: env TRONGRID_API_KEY)",
    )
    .option(
      "--tron-node-url <url>",
      "java-tron node HTTP API, read block by block instead of TronGrid (env FUNDTRACE_TRON_NODE_URL)",
    )
    .option(
      "--rps <n>",
      "requests per second per source",
      numberArg("--rps", { positive: true, fraction: true }),
    )
    .option(
      "--chain-id <id>",
      "EVM chain id for Etherscan v2 (env FUNDTRACE_EVM_CHAIN_ID)",
      numberArg("--chain-id", { positive: true }),
    )
    .option("--no-default-labels", "do not import the bundled label set into an empty database")
    .option("--offline", "never ask an upstream source; use what is stored (env FUNDTRACE_OFFLINE=1)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/** The command's words from the program down: `fundtrace query save`. */
function commandPath(c: Command): string {
  const words: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) words.unshift(x.name());
  return words.join(" ");
}

/** A usage error prints the wrong line (commander's) and this command's usage, not the whole help. */
function usageAfterErrors(c: Command): void {
  const path = commandPath(c);
  c.showHelpAfterError(`usage: ${path} ${c.usage()}\n(${path} --help for more)`);
  for (const sub of c.commands) usageAfterErrors(sub);
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad input, 3 something to act on). */
export async function main(argv: string[], io: IO = defaultIO()): Promise<number> {
  const cli = new Cli(io, program(io));
  for (const register of COMMANDS) register(cli.program, cli);
  usageAfterErrors(cli.program);
  return run(cli, argv);
}
