import type { Command } from "commander";
import type { ServerOptions } from "../../api/server.ts";
import { BadInputError } from "../../errors.ts";
import type { Listening } from "../../listen.ts";
import { createLogger } from "../../log.ts";
import type { Services } from "../../services/index.ts";
import { writeServerNote } from "../../store/holder.ts";
import { BACKGROUND_NICE, lowerBackgroundThreads } from "../../threads.ts";
import type { Cli } from "../context.ts";
import { numberArg, PORT } from "../options.ts";
import { untilSignal } from "../shutdown.ts";

/**
 * Serves the API over these services until SIGINT/SIGTERM, then closes the server. With
 * `anyPortIfTaken` a port in use falls back to a free one (the demo must come up).
 */
export async function serveUntilStopped(
  cli: Cli,
  services: Services,
  o: ServerOptions & { anyPortIfTaken?: boolean },
  announce: (url: string) => string,
): Promise<void> {
  // loaded here: no other command needs the HTTP stack
  const { startServer } = await import("../../api/server.ts");
  let srv: Listening;
  try {
    srv = await startServer(services, o);
  } catch (e) {
    if (!o.anyPortIfTaken || !(e instanceof BadInputError)) throw e;
    cli.io.stderr.write(`${e.message}; using a free port instead\n`);
    srv = await startServer(services, { ...o, port: 0 });
  }
  // database and thread-pool threads exist by now (the store ran its migrations): requests come first
  const lowered = lowerBackgroundThreads();
  o.log?.info({ threads: lowered, nice: BACKGROUND_NICE }, "background threads run at a lower priority");
  // a command that finds the file locked can then name this server and its URL
  const removeNote = writeServerNote(services.store.path, srv.url);
  try {
    cli.io.stderr.write(announce(srv.url));
    await untilSignal();
    await srv.close();
    // handlers of requests whose clients went away may still be running statements
    await services.store.drain();
  } finally {
    removeNote();
  }
}

/** `serve [--host H] [--port P] [--no-watch]`: the HTTP API, with the watch's scheduler and webhook delivery. */
export function serveCommand(program: Command, cli: Cli): void {
  program
    .command("serve")
    .description("the HTTP API (default 127.0.0.1:8080)")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--port <port>", "port", numberArg("--port", PORT), 8080)
    .option("--no-watch", "do not run scheduled queries and watchlists or deliver alerts")
    .action(async (o: { host: string; port: number; watch: boolean }) => {
      const s = await cli.open();
      const log = createLogger(cli.config?.logLevel, 2, { sync: false });
      const scheduler = o.watch ? s.watch.scheduler({ log }) : undefined;
      scheduler?.start();
      try {
        await serveUntilStopped(
          cli,
          s,
          { host: o.host, port: o.port, apiKeys: cli.config?.apiKeys ?? [], log },
          (url) => `fundtrace API listening on ${url} (OpenAPI: ${url}/openapi.json)\n`,
        );
      } finally {
        await scheduler?.stop();
      }
    });
}
