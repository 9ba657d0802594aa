import { createRoute, z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { assetInfo, flowSvg, nativeAsset } from "../../services/report/index.ts";
import { traceCsv, traceGraphml } from "../../services/trace-format.ts";
import { withTraceDefaults } from "../../services/trace-input.ts";
import { INPUT_ERRORS, router, textContent } from "../router.ts";
import { TraceRequestSchema } from "./trace.ts";

const FORMATS = {
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  graphml: "application/graphml+xml; charset=utf-8",
} as const;

const exportTrace = createRoute({
  method: "post",
  path: "/trace/export",
  request: {
    body: { content: { "application/json": { schema: TraceRequestSchema } }, required: true },
    query: z.object({ format: z.enum(["html", "svg", "csv", "graphml"]).default("html") }),
  },
  responses: {
    200: textContent(
      "runs the trace and returns it as the self-contained HTML report (with the SHA-256 of every upstream answer), the flow picture (SVG), the endpoints (CSV) or the graph (GraphML)",
      "text/html",
      "image/svg+xml",
      "text/csv",
      "application/graphml+xml",
    ),
    ...INPUT_ERRORS,
  },
});

/** A trace as a file for people and other tools (what the web UI's export buttons download). */
export function exportRoutes(services: Services) {
  return router().openapi(exportTrace, async (c) => {
    const req = withTraceDefaults(c.req.valid("json"));
    const format = c.req.valid("query").format;
    const r = await services.traces.trace(req);
    let body: string;
    if (format === "html") body = await services.evidence.report(await services.evidence.build(req, r), r);
    else if (format === "svg")
      body = flowSvg(r, assetInfo(r, nativeAsset(r.chain)), { standalone: true, maxNodes: 2000 }).svg;
    else if (format === "csv") body = traceCsv(r);
    else body = traceGraphml(r);
    return c.body(body, 200, {
      "content-type": FORMATS[format],
      "content-disposition": `attachment; filename="fundtrace-${r.chain}-${r.direction}-${r.model}.${format}"`,
      // a report opened from here must load nothing either
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    });
  });
}
