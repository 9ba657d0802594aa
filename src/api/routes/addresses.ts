import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { AddressInfoSchema } from "../schemas.ts";

const info = authorized("viewer", {
  method: "get",
  path: "/addresses/{chain}/{address}",
  request: { params: z.object({ chain: z.string(), address: z.string() }) },
  responses: { 200: jsonContent("labels, cluster and stats", AddressInfoSchema), ...INPUT_ERRORS },
});

/** What is known of one address. */
export function addressRoutes(services: Services) {
  return router().openapi(info, async (c) => {
    const { chain, address } = c.req.valid("param");
    return c.json(await services.addresses.info(chain, address), 200);
  });
}
