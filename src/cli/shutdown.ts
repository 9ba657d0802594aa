import { CommanderError } from "commander";
import { type FundtraceError, isBadInput } from "../errors.ts";
import { redactSecrets } from "../redact.ts";
import type { Cli } from "./context.ts";
import { toJson } from "./output.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** The command worked and found something to act on (a sanctioned row, a query whose result changed). */
export const EXIT_ATTENTION = 3;

/** Runs the parsed command; returns the exit code (0 ok, 1 failure, 2 bad input, 3 attention) after closing the services. */
export async function run(cli: Cli, argv: string[]): Promise<number> {
  try {
    await cli.program.parseAsync(argv, { from: "user" });
    return cli.exitCode ?? EXIT_OK;
  } catch (e) {
    return report(cli, e);
  } finally {
    cli.close();
  }
}

function report(cli: Cli, e: unknown): number {
  if (e instanceof CommanderError) {
    // commander has printed its usage message already
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0)
      return EXIT_OK;
    return EXIT_BAD_INPUT;
  }
  const message = redactSecrets(e instanceof Error ? e.message : String(e), cli.secrets());
  if (cli.json) {
    const code = (e as FundtraceError).code ?? "INTERNAL";
    cli.io.stderr.write(`${toJson({ error: { code, message } })}\n`);
  } else cli.io.stderr.write(`fundtrace: ${message}\n`);
  return isBadInput(e) ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

/** Resolves on the first SIGINT or SIGTERM: how a long-running command (serve, demo) is stopped. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
