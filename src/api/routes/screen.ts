import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized, mayFetch } from "../auth.ts";
import { toJson } from "../json.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { ScreenRequestSchema, ScreenResponseSchema } from "../schemas.ts";

const screen = authorized("viewer", {
  method: "post",
  path: "/screen",
  request: {
    query: z.object({
      chainCol: z.string().max(200).optional().openapi({ description: "text/csv: the chain column" }),
      addressCol: z.string().max(200).optional().openapi({ description: "text/csv: the address column" }),
      chain: z
        .string()
        .max(64)
        .optional()
        .openapi({ description: "text/csv: the chain of rows without one" }),
    }),
    body: {
      content: {
        "application/json": { schema: ScreenRequestSchema },
        "text/csv": { schema: z.string().openapi({ description: "a CSV file with a header row" }) },
      },
      // JSON is validated by its schema; a CSV body is read row by row (a bad row is that row's error)
      required: false,
    },
  },
  responses: {
    200: jsonContent(
      "one result per item or row, in order; a bad one carries its error",
      ScreenResponseSchema,
    ),
    ...INPUT_ERRORS,
  },
});

// Validated against ScreenRequestSchema (the text/csv schema only documents the other body).
const jsonItems = (services: Services, b: z.infer<typeof ScreenRequestSchema>, fetch: boolean) =>
  services.screen.screen(b.items, { exposureHops: b.exposure?.hops, fetch });

/** Batch screening against every label (and, on request, exposure): JSON items or a CSV file. */
export function screenRoutes(services: Services) {
  return router().openapi(screen, async (c) => {
    const fetch = mayFetch(c.get("role"));
    const r = c.req.header("content-type")?.startsWith("text/csv")
      ? await services.screen.screenFile(await c.req.text(), { ...c.req.valid("query"), fetch })
      : await jsonItems(services, c.req.valid("json") as z.infer<typeof ScreenRequestSchema>, fetch);
    // The service types exposure entries as unknown; they are the exposure's entries.
    return c.json(toJson(r) as z.infer<typeof ScreenResponseSchema>, 200);
  });
}
