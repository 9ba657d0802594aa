import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { IngestRequestSchema, SourceGapSchema } from "../schemas.ts";

export const IngestResultSchema = z
  .object({
    chain: z.string(),
    source: z.string(),
    window: z
      .object({ since: z.string().nullable(), until: z.string().nullable() })
      .optional()
      .openapi({ description: "with since/until: only transactions in blocks of this window were stored" }),
    addresses: z.array(
      z.object({
        address: z.string(),
        written: z.number().openapi({ description: "confirmed transactions written (new or changed block)" }),
        mempool: z.number(),
        corrected: z.number(),
        transfers: z.number().optional(),
        blocks: z.object({ from: z.number(), to: z.number() }).optional(),
        gaps: z.array(SourceGapSchema).optional(),
        pages: z.number(),
        upToDate: z.boolean(),
        complete: z.boolean().openapi({
          description:
            "the address's whole history is stored; false after an ingest restricted to a time window",
        }),
        partial: z.string().optional().openapi({ description: "why the stored history is partial" }),
      }),
    ),
    requests: z.number(),
    retries: z.number(),
    gaps: z.array(SourceGapSchema),
  })
  .openapi("IngestResult");

const JobSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(["queued", "running", "done", "failed"]),
    progress: z.object({ done: z.number(), total: z.number() }),
    result: IngestResultSchema.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Job");

const ingest = authorized("analyst", {
  method: "post",
  path: "/ingest",
  request: {
    body: { content: { "application/json": { schema: IngestRequestSchema } }, required: true },
  },
  responses: { 202: jsonContent("ingest job started", z.object({ jobId: z.string() })), ...INPUT_ERRORS },
});

const job = authorized("viewer", {
  method: "get",
  path: "/jobs/{id}",
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: jsonContent("job state", JobSchema), 404: errorContent("no such job") },
});

/** Ingest runs as a background job; its state is polled. */
export function ingestRoutes(services: Services) {
  return router()
    .openapi(ingest, async (c) => {
      // checked by the schema (chain, addresses, window) before the job starts: bad input changes nothing
      const input = c.req.valid("json");
      services.source(input.chain);
      const jobId = await services.jobs.start("ingest", input, (progress) =>
        services.ingest.ingest(input.chain, input.addresses, (d, t) => progress(d, t), {
          since: input.since,
          until: input.until,
        }),
      );
      return c.json({ jobId }, 202);
    })
    .openapi(job, async (c) => {
      // Jobs store their result as JSON; the only kind there is, ingest, stores an IngestResult.
      const j = (await services.jobs.get(c.req.valid("param").id)) as z.infer<typeof JobSchema>;
      return c.json(j, 200);
    });
}
