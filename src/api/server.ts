import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { BadInputError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Services } from "../services/index.ts";
import { createApp } from "./app.ts";

export interface ServerOptions {
  host: string;
  port: number;
  apiKeys: string[];
  log?: Logger;
}

/** Serves the API; without API keys it binds to 127.0.0.1 only and says so. */
export async function startServer(services: Services, opts: ServerOptions) {
  let host = opts.host;
  if (opts.apiKeys.length === 0) {
    if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") {
      opts.log?.warn({ requested: host }, "no FUNDTRACE_API_KEYS configured: binding to 127.0.0.1 only");
    }
    host = "127.0.0.1";
    opts.log?.warn("API is unauthenticated (set FUNDTRACE_API_KEYS to require keys)");
  }
  const app = createApp(services, { apiKeys: opts.apiKeys, log: opts.log });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: opts.port }, () => resolve(s));
    s.once("error", (cause: NodeJS.ErrnoException) =>
      reject(
        cause.code === "EADDRINUSE"
          ? new BadInputError(`port ${opts.port} on ${host} is in use (choose another with --port)`, {
              cause,
            })
          : cause,
      ),
    );
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host}:${addr.port}`;
  opts.log?.info({ url }, "listening");
  return {
    url,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
