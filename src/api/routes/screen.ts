import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized, mayFetch } from "../auth.ts";
import { toJson } from "../json.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { ScreenRequestSchema, ScreenResultSchema } from "../schemas.ts";

const ScreenResponseSchema = z.object({ results: z.array(ScreenResultSchema) });

const screen = authorized("viewer", {
  method: "post",
  path: "/screen",
  request: { body: { content: { "application/json": { schema: ScreenRequestSchema } }, required: true } },
  responses: {
    200: jsonContent("one result per item, in order", ScreenResponseSchema),
    ...INPUT_ERRORS,
  },
});

/** Batch screening against every label (and, on request, exposure). */
export function screenRoutes(services: Services) {
  return router().openapi(screen, async (c) => {
    const b = c.req.valid("json");
    const r = await services.screen.screen(b.items, {
      exposureHops: b.exposure?.hops,
      fetch: mayFetch(c.get("role")),
    });
    // The service types exposure entries as unknown; they are the exposure's entries.
    return c.json(toJson(r) as z.infer<typeof ScreenResponseSchema>, 200);
  });
}
