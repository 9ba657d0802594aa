import { z } from "@hono/zod-openapi";
import type { EvidencePackage } from "../../services/evidence.ts";
import type { Services } from "../../services/index.ts";
import { parseSince } from "../../services/watch/every.ts";
import { ALERT_KINDS, ALERT_STATUSES, ALERT_TRIGGERS, DELIVERY_STATES } from "../../store/alerts.ts";
import { authorized } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { AmountString } from "../schemas.ts";
import { EvidencePackageSchema } from "./evidence.ts";

const AlertLabelSchema = z.object({
  label: z.string(),
  category: z.string().optional(),
  source: z.string().optional(),
  dataset: z.string().optional(),
  program: z.string().nullable().optional(),
});

export const AlertSchema = z
  .object({
    id: z
      .string()
      .openapi({ description: "from the alert's trigger and fact: the same fact has the same id" }),
    trigger: z.enum(ALERT_TRIGGERS).openapi({
      description:
        "rerun: a saved query's rerun reached a new endpoint or more at one; label: a label import listed or delisted an address; counterparty: a watched wallet paid or was paid by a labelled address",
    }),
    kind: z.enum(ALERT_KINDS),
    chain: z.string(),
    address: z.string().openapi({ description: "the wallet the alert is about" }),
    category: z.string().openapi({ description: "the most severe alerted category" }),
    categories: z.array(z.string()),
    endpoint: z.string().optional().openapi({ description: "the address the money reached (or came from)" }),
    amount: AmountString.optional(),
    previousAmount: AmountString.optional(),
    asset: z.string().optional(),
    symbol: z.string().nullable().optional(),
    decimals: z.number().nullable().optional(),
    amountText: z.string().optional().openapi({ description: 'for people, e.g. "0.25000000 BTC"' }),
    direction: z.enum(["in", "out"]).optional(),
    path: z.array(z.string()).optional().openapi({ description: "txids, hop by hop" }),
    query: z.string().optional(),
    run: z.string().optional(),
    watchlist: z.string().optional(),
    evidence: z.string().optional().openapi({ description: "API path of the evidence package" }),
    labels: z.array(AlertLabelSchema).optional(),
    dataset: z.string().optional().openapi({ description: "label alerts: the imported dataset" }),
    transactions: z
      .array(
        z.object({
          txid: z.string(),
          direction: z.enum(["in", "out"]),
          asset: z.string(),
          amount: AmountString,
        }),
      )
      .optional(),
    wallets: z.array(z.string()).optional().openapi({ description: "every start address of the query" }),
    message: z.string(),
    createdAt: z.string(),
    status: z.enum(ALERT_STATUSES),
    ackedAt: z.string().optional(),
    delivery: z.enum(DELIVERY_STATES),
  })
  .openapi("Alert");

const AlertDetailSchema = AlertSchema.extend({
  deliveries: z.array(
    z.object({
      webhookId: z.string(),
      status: z.enum(["pending", "delivered", "failed"]),
      attempts: z.number(),
      lastStatus: z.number().nullable(),
      lastError: z.string().nullable(),
      deliveredAt: z.string().nullable(),
    }),
  ),
}).openapi("AlertWithDeliveries");

const Id = z.object({ id: z.string() });

const list = authorized("viewer", {
  method: "get",
  path: "/alerts",
  request: {
    query: z.object({
      status: z.enum(ALERT_STATUSES).optional(),
      delivery: z.enum(DELIVERY_STATES).optional(),
      trigger: z.enum(ALERT_TRIGGERS).optional(),
      since: z
        .string()
        .optional()
        .openapi({ description: "ISO date or time, or a duration back from now (24h)" }),
      limit: z.coerce.number().int().min(1).max(10_000).default(100),
    }),
  },
  responses: {
    200: jsonContent("alerts, newest first", z.object({ alerts: z.array(AlertSchema) })),
    ...INPUT_ERRORS,
  },
});

const get = authorized("viewer", {
  method: "get",
  path: "/alerts/{id}",
  request: { params: Id },
  responses: {
    200: jsonContent("the alert and each webhook's delivery", AlertDetailSchema),
    404: errorContent("no such alert"),
  },
});

const ack = authorized("analyst", {
  method: "post",
  path: "/alerts/{id}/ack",
  request: { params: Id },
  responses: {
    200: jsonContent("the acknowledged alert (acknowledging again changes nothing)", AlertDetailSchema),
    404: errorContent("no such alert"),
    ...INPUT_ERRORS,
  },
});

const evidence = authorized("viewer", {
  method: "get",
  path: "/alerts/{id}/evidence",
  request: { params: Id },
  responses: {
    200: jsonContent(
      "the evidence package the alert rests on: its query run's, or one over its transactions",
      EvidencePackageSchema,
    ),
    404: errorContent("no such alert, or an alert that rests on a label only"),
  },
});

type EvidenceJson = z.infer<typeof EvidencePackageSchema>;
// The service types the result as unknown: it is a trace response, already as JSON.
const asJson = (pkg: EvidencePackage) => pkg as EvidenceJson;

/** Alerts of the watch: list, one with its deliveries, acknowledge, evidence. */
export function alertRoutes(services: Services) {
  const alerts = services.watch.alerts;
  return router()
    .openapi(list, async (c) => {
      const q = c.req.valid("query");
      const since = q.since === undefined ? undefined : parseSince(q.since, new Date(), "since");
      return c.json({ alerts: await alerts.list({ ...q, since }) }, 200);
    })
    .openapi(get, async (c) => c.json(await alerts.get(c.req.valid("param").id), 200))
    .openapi(ack, async (c) =>
      c.json(await alerts.ack(c.req.valid("param").id, c.get("keyId") ?? "local"), 200),
    )
    .openapi(evidence, async (c) =>
      c.json(asJson(await services.watch.alertEvidence(c.req.valid("param").id)), 200),
    );
}
