import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { FundtraceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Services } from "../services/index.ts";
import { auditRequests } from "./audit.ts";
import { identify, parseApiKeys, requireKey } from "./auth.ts";
import { errorHandler, notFound } from "./errors.ts";
import type { AppEnv } from "./router.ts";
import { addressRoutes } from "./routes/addresses.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { auditRoutes } from "./routes/audit.ts";
import { caseRoutes } from "./routes/cases.ts";
import { clusterRoutes } from "./routes/clusters.ts";
import { evidenceRoutes } from "./routes/evidence.ts";
import { exportRoutes } from "./routes/exports.ts";
import { exposureRoutes } from "./routes/exposure.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";
import { labelRoutes } from "./routes/labels.ts";
import { queryRoutes } from "./routes/queries.ts";
import { screenRoutes } from "./routes/screen.ts";
import { traceRoutes } from "./routes/trace.ts";
import { uiRoutes } from "./routes/ui.ts";
import { watchlistRoutes } from "./routes/watchlists.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export interface AppOptions {
  /**
   * Accepted API keys, `KEY` or `KEY:ROLE` (viewer, analyst, admin; analyst when omitted); none =
   * unauthenticated, every caller admin (the server then binds to 127.0.0.1 only).
   */
  apiKeys?: string[];
  log?: Logger;
  /** Request body limit in bytes. */
  bodyLimit?: number;
}

/** A read slower than this is logged at info level, like every write and every refusal or failure. */
const SLOW_READ_MS = 1000;

/**
 * Refuses a body over `maxSize` bytes with 413. A GET or HEAD has none, and a declared length is judged
 * by its header: only a body sent without one is counted as it streams (hono's bodyLimit), which builds
 * the request object the server otherwise never needs (a cost on every request under load).
 */
function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => {
    throw new FundtraceError("PAYLOAD_TOO_LARGE", "request body too large");
  };
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) return streamed(c, next);
    return Number(length) > maxSize ? tooLarge() : next();
  };
}

/** One sub-app per resource, all under /v1; each file in routes/ holds its routes and their schemas. */
const RESOURCES = [
  healthRoutes,
  addressRoutes,
  exposureRoutes,
  screenRoutes,
  labelRoutes,
  ingestRoutes,
  clusterRoutes,
  traceRoutes,
  exportRoutes,
  evidenceRoutes,
  queryRoutes,
  caseRoutes,
  auditRoutes,
  alertRoutes,
  watchlistRoutes,
  webhookRoutes,
];

/** The HTTP API over the services. Tested through app.request() without a socket. */
export function createApp(services: Services, opts: AppOptions = {}) {
  const keys = parseApiKeys(opts.apiKeys ?? []);
  const log = opts.log;
  const app = new OpenAPIHono<AppEnv>();
  app.onError(errorHandler(log));
  app.notFound(notFound);

  app.use("*", async (c, next) => {
    const t0 = performance.now();
    await next();
    const ms = Math.round(performance.now() - t0);
    const line = { method: c.req.method, path: c.req.path, status: c.res.status, ms };
    // a read answered well and fast is the bulk of a busy server's traffic: logged at debug level
    const routine =
      (line.method === "GET" || line.method === "HEAD") && line.status < 400 && ms < SLOW_READ_MS;
    if (routine) log?.debug(line, "request");
    else log?.info(line, "request");
  });
  // who asks, then the audit of everything after (refusals included), then the refusals: no key,
  // a key not accepted (neither reads the body), a body too large; each route checks its role.
  app.use("*", identify(keys));
  app.use("*", auditRequests(services, log));
  app.use("/v1/*", requireKey());
  app.use("/v1/*", limitBody(opts.bodyLimit ?? 64 * 1024 * 1024));

  for (const routes of RESOURCES) app.route("/v1", routes(services));
  app.route("/", uiRoutes({ log }));

  app.doc("/openapi.json", {
    openapi: "3.0.0",
    info: {
      title: "fundtrace API",
      version: services.version,
      description: "Trace crypto flows; screen addresses.",
    },
  });
  return app;
}
