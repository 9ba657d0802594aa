import { type Logger, pino } from "pino";

/**
 * Structured logs on stderr (stdout is for --json output); keys and Authorization redacted. `sync: false`
 * (the server): lines are written in the background, so a slow reader of stderr (a full pipe) never
 * stops the requests; they are flushed when the process exits.
 */
export function createLogger(
  level = process.env.FUNDTRACE_LOG_LEVEL ?? "info",
  dest = 2,
  o: { sync?: boolean } = {},
): Logger {
  return pino(
    {
      level,
      base: { app: "fundtrace" },
      redact: {
        paths: [
          "apiKey",
          "key",
          "*.apiKey",
          "*.key",
          "headers.authorization",
          "headers['x-api-key']",
          "req.headers.authorization",
          "req.headers['x-api-key']",
          "headers['tron-pro-api-key']",
          "req.headers['tron-pro-api-key']",
          "etherscanKey",
          "config.etherscanKey",
          "tronKey",
          "config.tronKey",
          "config.apiKeys",
        ],
        censor: "REDACTED",
      },
    },
    pino.destination({ fd: dest, sync: o.sync ?? true }),
  );
}

export type { Logger };
