import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { LabelSchema } from "../schemas.ts";

const ClusterSchema = z
  .object({
    id: z.string(),
    chain: z.string(),
    size: z.number(),
    isService: z.boolean(),
    members: z.array(z.string()),
    labels: z.array(LabelSchema.extend({ address: z.string() })),
    evidence: z.array(
      z.object({
        txid: z.string(),
        heuristic: z.string(),
        addresses: z.array(z.string()),
        confidence: z.number(),
      }),
    ),
  })
  .openapi("Cluster");

const show = authorized("viewer", {
  method: "get",
  path: "/clusters/{chain}/{address}",
  request: { params: z.object({ chain: z.string(), address: z.string() }) },
  responses: {
    200: jsonContent(
      "the address's cluster with members, labels and the evidence for every merge",
      ClusterSchema,
    ),
    ...INPUT_ERRORS,
  },
});

/** One address's cluster and the evidence for every merge. */
export function clusterRoutes(services: Services) {
  return router().openapi(show, async (c) => {
    const { chain, address } = c.req.valid("param");
    return c.json(await services.clusters.show(chain, address), 200);
  });
}
