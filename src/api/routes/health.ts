import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { jsonContent, router } from "../router.ts";

const health = authorized("public", {
  method: "get",
  path: "/health",
  responses: {
    200: jsonContent("service is up", z.object({ status: z.literal("ok"), version: z.string() })),
  },
});

/** GET /v1/health: up, and which version (no key needed). */
export function healthRoutes(services: Services) {
  return router().openapi(health, (c) => c.json({ status: "ok" as const, version: services.version }, 200));
}
