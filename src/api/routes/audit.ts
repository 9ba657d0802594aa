import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    keyId: z.string().openapi({
      description:
        "key-<hash> of the API key given (accepted or not), none without one, local when the server has no keys, cli:<user> for a CLI command",
    }),
    action: z.string().openapi({ description: "method and route (cut to 200 characters)" }),
    target: z
      .string()
      .nullable()
      .openapi({ description: "path and the name/chain/address given, cut to 300 characters" }),
    targetSha256: z.string().nullable().openapi({ description: "SHA-256 of the full target" }),
    status: z
      .number()
      .openapi({ description: "HTTP status of the answer; 0: committed, answer not recorded" }),
    details: z.record(z.string(), z.unknown()).nullable().openapi({
      description: "what the write reported, e.g. {labels: {DATASET: {added, removed}}} for a label import",
    }),
  })
  .openapi("AuditEntry");

const list = authorized("viewer", {
  method: "get",
  path: "/audit",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) }) },
  responses: {
    200: jsonContent(
      "audited requests and commands, newest first",
      z.object({ entries: z.array(AuditEntrySchema) }),
    ),
    ...INPUT_ERRORS,
  },
});

/** The audit log: every API request that is not a GET, and every CLI write. */
export function auditRoutes(services: Services) {
  return router().openapi(list, async (c) =>
    c.json({ entries: await services.audit.list(c.req.valid("query").limit) }, 200),
  );
}
