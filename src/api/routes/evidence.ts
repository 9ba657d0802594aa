import { z } from "@hono/zod-openapi";
import type { EvidencePackage } from "../../services/evidence.ts";
import type { Services } from "../../services/index.ts";
import { traceCsv, traceGraphml } from "../../services/trace-format.ts";
import { withTraceDefaults } from "../../services/trace-input.ts";
import { authorized, mayFetch } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { TraceParamsSchema, TraceSchema } from "../schemas.ts";
import { TraceRequestSchema } from "./trace.ts";

export const EvidencePackageSchema = z
  .object({
    format: z.literal("fundtrace-evidence/1"),
    tool: z.object({ name: z.literal("fundtrace"), version: z.string() }),
    generatedAt: z.string(),
    subject: z.union([
      z.object({ kind: z.literal("trace") }),
      z.object({
        kind: z.literal("run"),
        query: z.string(),
        runId: z.string(),
        startedAt: z.string(),
        finishedAt: z.string(),
      }),
    ]),
    params: TraceParamsSchema,
    result: TraceSchema,
    resultSha256: z.string().openapi({ description: "SHA-256 of JSON.stringify(result)" }),
    responses: z.array(
      z.object({
        source: z.string(),
        url: z.string().openapi({ description: "keys redacted" }),
        request: z.string().optional().openapi({ description: "POST body (JSON-RPC)" }),
        status: z.number(),
        sha256: z.string().openapi({ description: "of the body as received" }),
        fetchedAt: z.string(),
        refs: z.array(z.string()),
      }),
    ),
    unsourced: z
      .array(z.string())
      .openapi({ description: "refs of the result no logged response names (stored before logging)" }),
  })
  .openapi("EvidencePackage");

type EvidenceJson = z.infer<typeof EvidencePackageSchema>;
// The service types the result as unknown: it is the trace response, already as JSON.
const asJson = (pkg: EvidencePackage) => pkg as EvidenceJson;

const traceEvidence = authorized("viewer", {
  method: "post",
  path: "/evidence",
  request: { body: { content: { "application/json": { schema: TraceRequestSchema } }, required: true } },
  responses: {
    200: jsonContent(
      "runs the trace and returns its evidence package: parameters, result, tool version, and the redacted URL and SHA-256 of every upstream body the result rests on",
      EvidencePackageSchema,
    ),
    ...INPUT_ERRORS,
  },
});

const runEvidence = authorized("viewer", {
  method: "get",
  path: "/queries/{name}/runs/{id}/evidence",
  request: {
    params: z.object({ name: z.string(), id: z.string() }),
    query: z.object({ format: z.enum(["json", "csv", "graphml", "html"]).default("json") }),
  },
  responses: {
    200: {
      description:
        "evidence package (json: parameters, result, version, upstream URLs and SHA-256 of each body), an export, or the HTML report",
      content: {
        "application/json": { schema: EvidencePackageSchema },
        "text/csv": { schema: z.string() },
        "application/graphml+xml": { schema: z.string() },
        "text/html": { schema: z.string() },
      },
    },
    404: errorContent("no such query or run"),
  },
});

/** Evidence packages of a trace, or of a saved query's run (`latest` for the newest). */
export function evidenceRoutes(services: Services) {
  return router()
    .openapi(traceEvidence, async (c) => {
      const req = withTraceDefaults(c.req.valid("json"));
      const r = await services.traces.trace({ ...req, fetch: mayFetch(c.get("role")) });
      return c.json(asJson(await services.evidence.build(req, r)), 200);
    })
    .openapi(runEvidence, async (c) => {
      const { name, id } = c.req.valid("param");
      const d = await services.queries.runDetail(name, id === "latest" ? undefined : id);
      const format = c.req.valid("query").format;
      if (format === "csv")
        return c.body(traceCsv(d.trace), 200, { "content-type": "text/csv; charset=utf-8" });
      if (format === "graphml")
        return c.body(traceGraphml(d.trace), 200, {
          "content-type": "application/graphml+xml; charset=utf-8",
        });
      const pkg = await services.evidence.forRun(d);
      if (format === "html")
        return c.body(await services.evidence.report(pkg, d.trace), 200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        });
      return c.json(asJson(pkg), 200);
    });
}
