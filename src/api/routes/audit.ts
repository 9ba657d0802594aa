import { createRoute, z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    keyId: z.string().openapi({ description: "key-<hash> of the API key, local without keys" }),
    action: z.string().openapi({ description: "method and route" }),
    target: z.string().nullable(),
    status: z.number(),
  })
  .openapi("AuditEntry");

const list = createRoute({
  method: "get",
  path: "/audit",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) }) },
  responses: {
    200: jsonContent("API writes, newest first", z.object({ entries: z.array(AuditEntrySchema) })),
    ...INPUT_ERRORS,
  },
});

/** The audit log of API writes. */
export function auditRoutes(services: Services) {
  return router().openapi(list, async (c) =>
    c.json({ entries: await services.audit.list(c.req.valid("query").limit) }, 200),
  );
}
