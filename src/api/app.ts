import { createHash, timingSafeEqual } from "node:crypto";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { FundtraceError } from "../errors.ts";
import { jsonSafe } from "../json.ts";
import type { Logger } from "../log.ts";
import type { Services } from "../services/index.ts";
import { validateIngestInput } from "../services/ingest.ts";
import { auditTarget, registerCaseRoutes } from "./cases.ts";
import { errorResponse } from "./errors.ts";
import {
  AddressInfoSchema,
  ErrorSchema,
  LabelImportRequestSchema,
  LabelSchema,
  RiskSchema,
  ScreenRequestSchema,
  ScreenResultSchema,
} from "./schemas.ts";

export interface AppOptions {
  /** Accepted API keys; none = unauthenticated (the server then binds to 127.0.0.1 only). */
  apiKeys?: string[];
  log?: Logger;
  /** Request body limit in bytes. */
  bodyLimit?: number;
}

const errors = {
  400: { description: "bad input", content: { "application/json": { schema: ErrorSchema } } },
  401: { description: "no API key", content: { "application/json": { schema: ErrorSchema } } },
  403: { description: "wrong API key", content: { "application/json": { schema: ErrorSchema } } },
};

/** A key's name in the audit log: a short hash, never the key. */
export function keyId(key: string): string {
  return `key-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

function keyMatches(given: string, keys: string[]): number {
  const g = Buffer.from(given);
  return keys.findIndex((k) => {
    const b = Buffer.from(k);
    return b.length === g.length && timingSafeEqual(b, g);
  });
}

/** The HTTP API over the services. Tested through app.request() without a socket. */
export function createApp(services: Services, opts: AppOptions = {}) {
  const apiKeys = opts.apiKeys ?? [];
  const log = opts.log;
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? issue.path.join(".") : "request";
        return c.json(
          { error: { code: "BAD_INPUT", message: `${where}: ${issue?.message ?? "invalid"}` } },
          400,
        );
      }
    },
  });

  app.onError((e, c) => {
    if (e instanceof HTTPException && e.status < 500) {
      const code = e.status === 400 ? "BAD_INPUT" : e.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_INPUT";
      const message = e.status === 400 ? `malformed request: ${e.message || "invalid body"}` : e.message;
      return c.json({ error: { code, message } }, e.status);
    }
    const { status, body } = errorResponse(e);
    if (status >= 500)
      log?.error(
        { err: e instanceof FundtraceError ? e.message : String(e), path: c.req.path },
        "request failed",
      );
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json({ error: { code: "NOT_FOUND", message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.use("*", async (c, next) => {
    const t0 = performance.now();
    await next();
    log?.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - t0),
      },
      "request",
    );
  });

  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: opts.bodyLimit ?? 64 * 1024 * 1024,
      onError: (c) =>
        c.json({ error: { code: "PAYLOAD_TOO_LARGE", message: "request body too large" } }, 413),
    }),
  );

  // Every write (any method but GET/HEAD) is audited, refused ones included.
  app.use("/v1/*", async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.req.method === "HEAD") return;
    try {
      await services.audit.record({
        keyId: (c.get("keyId" as never) as string | undefined) ?? (apiKeys.length ? "none" : "local"),
        action: `${c.req.method} ${c.req.routePath.endsWith("*") ? c.req.path : c.req.routePath}`,
        target: await auditTarget(c),
        status: c.res.status,
      });
    } catch (e) {
      log?.error({ err: String(e) }, "audit write failed");
    }
  });

  if (apiKeys.length > 0) {
    app.use("/v1/*", async (c, next) => {
      if (c.req.path === "/v1/health") return next();
      const auth = c.req.header("authorization");
      const given = auth?.startsWith("Bearer ") ? auth.slice(7) : c.req.header("x-api-key");
      if (!given)
        return c.json(
          { error: { code: "UNAUTHORIZED", message: "API key required (Authorization: Bearer KEY)" } },
          401,
        );
      const idx = keyMatches(given, apiKeys);
      if (idx < 0) return c.json({ error: { code: "FORBIDDEN", message: "API key not accepted" } }, 403);
      c.set("keyId" as never, keyId(apiKeys[idx]!) as never);
      return next();
    });
  }

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/health",
      responses: {
        200: {
          description: "service is up",
          content: {
            "application/json": { schema: z.object({ status: z.literal("ok"), version: z.string() }) },
          },
        },
      },
    }),
    (c) => c.json({ status: "ok" as const, version: services.version }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/addresses/{chain}/{address}",
      request: { params: z.object({ chain: z.string(), address: z.string() }) },
      responses: {
        200: {
          description: "labels, cluster and stats",
          content: { "application/json": { schema: AddressInfoSchema } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { chain, address } = c.req.valid("param");
      return c.json(await services.addresses.info(chain, address), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/screen",
      request: { body: { content: { "application/json": { schema: ScreenRequestSchema } }, required: true } },
      responses: {
        200: {
          description: "one result per item, in order",
          content: { "application/json": { schema: z.object({ results: z.array(ScreenResultSchema) }) } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const r = await services.screen.screen(b.items, { exposureHops: b.exposure?.hops });
      return c.json(jsonSafe(r) as { results: z.infer<typeof ScreenResultSchema>[] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/labels",
      request: {
        query: z.object({
          chain: z.string().optional(),
          category: z.string().optional(),
          dataset: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: {
          description: "stored labels",
          content: {
            "application/json": {
              schema: z.object({
                total: z.number(),
                labels: z.array(
                  LabelSchema.extend({
                    address: z.string(),
                    dataset: z.string(),
                    clusterDefining: z.boolean(),
                  }),
                ),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const r = await services.labels.list(q);
      return c.json(
        {
          total: r.total,
          labels: r.labels.map((l) => ({
            chain: l.chain,
            address: l.address,
            label: l.label,
            category: l.category,
            source: l.source,
            confidence: l.confidence,
            program: l.program,
            reference: l.reference,
            dataset: l.dataset,
            clusterDefining: l.clusterDefining,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/labels/export",
      request: {
        query: z.object({
          format: z.enum(["tagpack", "csv"]).default("tagpack"),
          chain: z.string().optional(),
          category: z.string().optional(),
        }),
      },
      responses: {
        200: {
          description: "labels as a TagPack (YAML) or CSV",
          content: { "application/yaml": { schema: z.string() }, "text/csv": { schema: z.string() } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const body = await services.labels.export(q.format, { chain: q.chain, category: q.category });
      return c.body(body, 200, {
        "content-type": q.format === "csv" ? "text/csv; charset=utf-8" : "application/yaml; charset=utf-8",
      });
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/labels/import",
      request: {
        body: { content: { "application/json": { schema: LabelImportRequestSchema } }, required: true },
      },
      responses: {
        200: {
          description: "import result",
          content: {
            "application/json": {
              schema: z.object({
                dataset: z.string(),
                format: z.string(),
                sourceFile: z.string(),
                sourceHash: z.string(),
                rows: z.number(),
                skipped: z.number(),
                unchanged: z.boolean(),
                skippedSample: z.array(z.object({ address: z.string(), reason: z.string() })),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const raw = Buffer.from(b.content, b.encoding === "base64" ? "base64" : "utf8");
      return c.json(await services.labels.importBytes(raw, b.name, b.format), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/ingest",
      request: {
        body: {
          content: {
            "application/json": {
              schema: z.object({
                chain: z.string().min(1),
                addresses: z.array(z.string().min(1).max(256)).min(1).max(1000),
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        202: {
          description: "ingest job started",
          content: { "application/json": { schema: z.object({ jobId: z.string() }) } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const input = validateIngestInput(b.chain, b.addresses);
      services.source(input.chain);
      const jobId = await services.jobs.start("ingest", input, (progress) =>
        services.ingest.ingest(input.chain, input.addresses, (d, t) => progress(d, t)),
      );
      return c.json({ jobId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/jobs/{id}",
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: {
          description: "job state",
          content: {
            "application/json": {
              schema: z.object({
                id: z.string(),
                kind: z.string(),
                status: z.enum(["queued", "running", "done", "failed"]),
                progress: z.object({ done: z.number(), total: z.number() }),
                result: z.any().optional(),
                error: z.object({ code: z.string(), message: z.string() }).optional(),
                createdAt: z.string(),
                updatedAt: z.string(),
              }),
            },
          },
        },
        404: { description: "no such job", content: { "application/json": { schema: ErrorSchema } } },
      },
    }),
    async (c) => c.json(await services.jobs.get(c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/clusters/{chain}/{address}",
      request: { params: z.object({ chain: z.string(), address: z.string() }) },
      responses: {
        200: {
          description: "the address's cluster with members, labels and the evidence for every merge",
          content: {
            "application/json": {
              schema: z.object({
                id: z.string(),
                chain: z.string(),
                size: z.number(),
                isService: z.boolean(),
                members: z.array(z.string()),
                labels: z.array(LabelSchema.extend({ address: z.string() })),
                evidence: z.array(
                  z.object({
                    txid: z.string(),
                    heuristic: z.string(),
                    addresses: z.array(z.string()),
                    confidence: z.number(),
                  }),
                ),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { chain, address } = c.req.valid("param");
      return c.json(await services.clusters.show(chain, address), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/addresses/{chain}/{address}/exposure",
      request: {
        params: z.object({ chain: z.string(), address: z.string() }),
        query: z.object({
          hops: z.coerce.number().int().default(3),
          direction: z.enum(["in", "out", "both"]).default("both"),
          model: z.enum(["poison", "haircut", "fifo"]).default("haircut"),
        }),
      },
      responses: {
        200: {
          description: "direct and indirect exposure by category with shares, and a risk score and band",
          content: {
            "application/json": {
              schema: z
                .object({ direct: z.array(z.any()), indirect: z.array(z.any()), risk: RiskSchema })
                .passthrough(),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { chain, address } = c.req.valid("param");
      const q = c.req.valid("query");
      const r = await services.traces.exposure(chain, address, q);
      return c.json(
        jsonSafe(r) as { direct: unknown[]; indirect: unknown[]; risk: z.infer<typeof RiskSchema> },
        200,
      );
    },
  );

  const TraceRequestSchema = z
    .object({
      chain: z.string(),
      address: z.string().optional(),
      addresses: z.array(z.string()).max(1000).optional(),
      direction: z.enum(["forward", "backward"]).default("forward"),
      maxHops: z.number().int().default(5),
      model: z.enum(["poison", "haircut", "fifo"]).default("haircut"),
      minValue: z.string().regex(/^\d+$/).optional(),
      stopAt: z.array(z.string()).optional(),
      targets: z
        .object({
          categories: z.array(z.string()).optional(),
          addresses: z.array(z.string()).optional(),
        })
        .optional(),
      maxAddresses: z.number().int().optional(),
    })
    .openapi("TraceRequest");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/trace",
      request: {
        body: {
          content: {
            "application/json": {
              schema: TraceRequestSchema,
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description:
            "endpoints with amounts, hops, labels and the paths that carried the taint; nodes and edges",
          content: {
            "application/json": {
              schema: z
                .object({
                  endpoints: z.array(z.any()),
                  nodes: z.array(z.any()),
                  edges: z.array(z.any()),
                  stats: z.any(),
                })
                .passthrough(),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const addresses = [...(b.address ? [b.address] : []), ...(b.addresses ?? [])];
      const r = await services.traces.trace({ ...b, addresses });
      return c.json(
        jsonSafe(r) as { endpoints: unknown[]; nodes: unknown[]; edges: unknown[]; stats: unknown },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/evidence",
      request: {
        body: { content: { "application/json": { schema: TraceRequestSchema } }, required: true },
      },
      responses: {
        200: {
          description:
            "runs the trace and returns its evidence package: parameters, result, tool version, and the redacted URL and SHA-256 of every upstream body the result rests on",
          content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const addresses = [...(b.address ? [b.address] : []), ...(b.addresses ?? [])];
      const req = { ...b, addresses };
      const r = await services.traces.trace(req);
      const pkg = await services.evidence.build(req, r);
      return c.json(pkg as unknown as Record<string, unknown>, 200);
    },
  );

  const TraceParamsSchema = z
    .object({
      chain: z.string(),
      addresses: z.array(z.string()).min(1).max(1000),
      direction: z.enum(["forward", "backward"]).optional(),
      maxHops: z.number().int().optional(),
      model: z.enum(["poison", "haircut", "fifo"]).optional(),
      minValue: z.string().regex(/^\d+$/).optional(),
      stopAt: z.array(z.string()).optional(),
      targets: z
        .object({ categories: z.array(z.string()).optional(), addresses: z.array(z.string()).optional() })
        .optional(),
      maxAddresses: z.number().int().optional(),
    })
    .openapi("TraceParams");
  const RunSchema = z
    .object({
      id: z.string(),
      query: z.string(),
      digest: z.string(),
      endpoints: z.array(z.any()),
      diff: z.any(),
    })
    .passthrough();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/queries",
      request: {
        body: {
          content: {
            "application/json": { schema: z.object({ name: z.string(), params: TraceParamsSchema }) },
          },
          required: true,
        },
      },
      responses: {
        201: {
          description: "saved",
          content: { "application/json": { schema: z.object({ name: z.string(), params: z.any() }) } },
        },
        409: { description: "name taken", content: { "application/json": { schema: ErrorSchema } } },
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      return c.json(await services.queries.save(b.name, b.params), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/queries",
      responses: {
        200: {
          description: "saved queries",
          content: {
            "application/json": { schema: z.object({ queries: z.array(z.record(z.string(), z.unknown())) }) },
          },
        },
      },
    }),
    async (c) =>
      c.json({ queries: (await services.queries.list()) as unknown as Record<string, unknown>[] }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/queries/{name}/run",
      request: { params: z.object({ name: z.string() }) },
      responses: {
        200: {
          description: "the run with its difference from the previous run",
          content: { "application/json": { schema: RunSchema } },
        },
        404: { description: "no such query", content: { "application/json": { schema: ErrorSchema } } },
        ...errors,
      },
    }),
    async (c) =>
      c.json(
        (await services.queries.run(c.req.valid("param").name)) as unknown as z.infer<typeof RunSchema>,
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/queries/{name}/runs",
      request: { params: z.object({ name: z.string() }) },
      responses: {
        200: {
          description: "run history, newest first",
          content: { "application/json": { schema: z.object({ runs: z.array(RunSchema) }) } },
        },
        404: { description: "no such query", content: { "application/json": { schema: ErrorSchema } } },
      },
    }),
    async (c) =>
      c.json(
        {
          runs: (await services.queries.runs(c.req.valid("param").name)) as unknown as z.infer<
            typeof RunSchema
          >[],
        },
        200,
      ),
  );

  registerCaseRoutes(app as unknown as OpenAPIHono, services);

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

export type App = ReturnType<typeof createApp>;
