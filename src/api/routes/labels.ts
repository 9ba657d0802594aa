import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { publicLabel } from "../../services/screen.ts";
import { authorized } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router, textContent } from "../router.ts";
import { LabelImportRequestSchema, LabelImportResultSchema, LabelSchema } from "../schemas.ts";

const StoredLabelSchema = LabelSchema.extend({
  address: z.string(),
  dataset: z.string(),
  clusterDefining: z.boolean(),
}).openapi("StoredLabel");

const list = authorized("viewer", {
  method: "get",
  path: "/labels",
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
    200: jsonContent("stored labels", z.object({ total: z.number(), labels: z.array(StoredLabelSchema) })),
    ...INPUT_ERRORS,
  },
});

const exportLabels = authorized("viewer", {
  method: "get",
  path: "/labels/export",
  request: {
    query: z.object({
      format: z.enum(["tagpack", "csv"]).default("tagpack"),
      chain: z.string().optional(),
      category: z.string().optional(),
    }),
  },
  responses: {
    200: textContent("labels as a TagPack (YAML) or CSV", "application/yaml", "text/csv"),
    ...INPUT_ERRORS,
  },
});

const importLabels = authorized("admin", {
  method: "post",
  path: "/labels/import",
  request: {
    body: { content: { "application/json": { schema: LabelImportRequestSchema } }, required: true },
  },
  responses: {
    200: jsonContent("import result", LabelImportResultSchema),
    409: errorContent(
      "refused: the file would remove too much of its dataset (send force), or the dataset is another format's",
    ),
    ...INPUT_ERRORS,
  },
});

/** Labels in (import), out (list) and shared (export). */
export function labelRoutes(services: Services) {
  return router()
    .openapi(list, async (c) => {
      const r = await services.labels.list(c.req.valid("query"));
      const labels = r.labels.map((l) => ({
        ...publicLabel(l),
        address: l.address,
        dataset: l.dataset,
        clusterDefining: l.clusterDefining,
      }));
      return c.json({ total: r.total, labels }, 200);
    })
    .openapi(exportLabels, async (c) => {
      const q = c.req.valid("query");
      const body = await services.labels.export(q.format, { chain: q.chain, category: q.category });
      return c.body(body, 200, {
        "content-type": q.format === "csv" ? "text/csv; charset=utf-8" : "application/yaml; charset=utf-8",
      });
    })
    .openapi(importLabels, async (c) => {
      const b = c.req.valid("json");
      const raw = Buffer.from(b.content, b.encoding === "base64" ? "base64" : "utf8");
      const r = await services.labels.importBytes(raw, b.name, {
        format: b.format,
        dataset: b.dataset,
        force: b.force,
        authority: b.authority,
      });
      return c.json(r, 200);
    });
}
