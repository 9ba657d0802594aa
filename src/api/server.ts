import { createAdaptorServer } from "@hono/node-server";
import { type Listening, listen } from "../listen.ts";
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
export async function startServer(services: Services, opts: ServerOptions): Promise<Listening> {
  let host = opts.host;
  if (opts.apiKeys.length === 0) {
    if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") {
      opts.log?.warn({ requested: host }, "no FUNDTRACE_API_KEYS configured: binding to 127.0.0.1 only");
    }
    host = "127.0.0.1";
    opts.log?.warn("API is unauthenticated (set FUNDTRACE_API_KEYS to require keys)");
  }
  const app = createApp(services, { apiKeys: opts.apiKeys, log: opts.log });
  const server = await listen(createAdaptorServer({ fetch: app.fetch }), {
    host,
    port: opts.port,
    hint: "choose another with --port",
  });
  opts.log?.info({ url: server.url }, "listening");
  return server;
}
