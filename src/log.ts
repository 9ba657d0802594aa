import { type Logger, pino } from "pino";

/** Structured logs on stderr (stdout is for --json output); keys and Authorization redacted. */
export function createLogger(level = process.env.FUNDTRACE_LOG_LEVEL ?? "info", dest = 2): Logger {
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
    pino.destination({ fd: dest, sync: true }),
  );
}

export type { Logger };
