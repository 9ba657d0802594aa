import type { Services } from "../../services/index.ts";
import { TraceInputSchema } from "../../services/trace-input.ts";
import { authorized, mayFetch } from "../auth.ts";
import { toJson } from "../json.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { TraceSchema } from "../schemas.ts";

/**
 * The trace request: the one schema `fundtrace trace` and `query save` parse their flags with too
 * (named with zod's `.meta`: it is plain zod, shared with the CLI).
 */
export const TraceRequestSchema = TraceInputSchema.meta({ id: "TraceRequest" });

const trace = authorized("viewer", {
  method: "post",
  path: "/trace",
  request: { body: { content: { "application/json": { schema: TraceRequestSchema } }, required: true } },
  responses: {
    200: jsonContent(
      "endpoints with amounts, hops, labels and the paths that carried the taint; nodes and edges",
      TraceSchema,
    ),
    ...INPUT_ERRORS,
  },
});

/** Follows funds hop by hop (a viewer's trace on stored data only). */
export function traceRoutes(services: Services) {
  return router().openapi(trace, async (c) =>
    c.json(
      toJson(await services.traces.trace({ ...c.req.valid("json"), fetch: mayFetch(c.get("role")) })),
      200,
    ),
  );
}
