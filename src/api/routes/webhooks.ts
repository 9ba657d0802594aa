import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router } from "../router.ts";

const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string().openapi({ description: "credentials and key-like parameters redacted" }),
    fingerprint: z
      .string()
      .openapi({ description: "sha256:<16 hex> of the secret; the secret is never shown" }),
    createdAt: z.string(),
    deliveries: z.object({ pending: z.number(), delivered: z.number(), failed: z.number() }),
    lastError: z.string().nullable().openapi({ description: "why the latest failed delivery failed" }),
  })
  .openapi("Webhook");

const add = authorized("admin", {
  method: "post",
  path: "/webhooks",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({
            url: z
              .string()
              .min(1)
              .max(2048)
              .openapi({ description: "https, or http to 127.0.0.1/::1/localhost" }),
            secret: z
              .string()
              .min(1)
              .max(512)
              .openapi({ description: "signs every delivery; at least 16 characters" }),
          }),
        },
      },
      required: true,
    },
  },
  responses: {
    201: jsonContent("the webhook (its URL was reachable)", WebhookSchema),
    ...INPUT_ERRORS,
  },
});

const list = authorized("admin", {
  method: "get",
  path: "/webhooks",
  responses: { 200: jsonContent("webhooks", z.object({ webhooks: z.array(WebhookSchema) })) },
});

const remove = authorized("admin", {
  method: "delete",
  path: "/webhooks/{id}",
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: jsonContent("deleted, with its pending deliveries", z.object({ deleted: z.string() })),
    404: errorContent("no such webhook"),
    ...INPUT_ERRORS,
  },
});

/** Where alerts are posted (signed with each webhook's secret). */
export function webhookRoutes(services: Services) {
  const hooks = services.watch.webhooks;
  return router()
    .openapi(add, async (c) => {
      const b = c.req.valid("json");
      return c.json(await hooks.add(b.url, b.secret), 201);
    })
    .openapi(list, async (c) => c.json({ webhooks: await hooks.list() }, 200))
    .openapi(remove, async (c) => {
      const id = c.req.valid("param").id;
      await hooks.delete(id);
      return c.json({ deleted: id }, 200);
    });
}
