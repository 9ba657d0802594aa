import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized, mayFetch } from "../auth.ts";
import { toJson } from "../json.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { ExposureSchema } from "../schemas.ts";

const exposure = authorized("viewer", {
  method: "get",
  path: "/addresses/{chain}/{address}/exposure",
  request: {
    params: z.object({ chain: z.string(), address: z.string() }),
    query: z.object({
      hops: z.coerce.number().int().default(3),
      direction: z.enum(["in", "out", "both"]).default("both"),
      model: z.enum(["poison", "haircut", "fifo"]).default("haircut"),
      since: z
        .string()
        .optional()
        .openapi({ description: "only blocks from this UTC date or ISO 8601 time" }),
      until: z.string().optional().openapi({ description: "only blocks up to this time (a date: its end)" }),
    }),
  },
  responses: {
    200: jsonContent(
      "direct and indirect exposure by category with shares, and a risk score and band",
      ExposureSchema,
    ),
    ...INPUT_ERRORS,
  },
});

/** Direct and indirect exposure of one address (a viewer's on stored data only). */
export function exposureRoutes(services: Services) {
  return router().openapi(exposure, async (c) => {
    const { chain, address } = c.req.valid("param");
    const opts = { ...c.req.valid("query"), fetch: mayFetch(c.get("role")) };
    return c.json(toJson(await services.traces.exposure(chain, address, opts)), 200);
  });
}
