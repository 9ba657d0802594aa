import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import type { QueryRun } from "../../services/queries.ts";
import { scheduleChange } from "../../services/watch/every.ts";
import { authorized } from "../auth.ts";
import { toJson } from "../json.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router } from "../router.ts";
import {
  AmountString,
  ScheduleChangeSchema,
  ScheduleSchema,
  TraceParamsSchema,
  TraceStatsSchema,
} from "../schemas.ts";
import { TraceRequestSchema } from "./trace.ts";

const RunEndpointSchema = z.object({
  address: z.string(),
  asset: z.string(),
  amount: AmountString,
  symbol: z.string().nullable().optional(),
  decimals: z.number().nullable().optional(),
  hops: z.number(),
  categories: z.array(z.string()),
  paths: z.array(z.string()).openapi({ description: "txids hop by hop, joined by >" }),
});

const RunSchema = z
  .object({
    id: z.string(),
    query: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    digest: z.string().openapi({ description: "SHA-256 of the parameters and endpoints" }),
    endpoints: z.array(RunEndpointSchema),
    diff: z
      .object({
        newEndpoints: z.array(RunEndpointSchema),
        changedAmounts: z.array(
          z.object({
            address: z.string(),
            asset: z.string(),
            symbol: z.string().nullable().optional(),
            decimals: z.number().nullable().optional(),
            previous: AmountString,
            current: AmountString,
            delta: AmountString,
          }),
        ),
        newPaths: z.array(z.object({ address: z.string(), asset: z.string(), path: z.string() })),
        goneEndpoints: z.array(RunEndpointSchema),
      })
      .nullable()
      .openapi({ description: "the difference from the previous run; null on the first" }),
    stats: TraceStatsSchema.optional(),
  })
  .openapi("QueryRun");

type RunJson = z.infer<typeof RunSchema>;
// The service types a run's stats as unknown: they are the trace's stats, stored as JSON.
const asJson = (r: QueryRun) => toJson(r) as RunJson;

const SavedQuerySchema = z
  .object({
    name: z.string(),
    params: TraceParamsSchema,
    createdAt: z.string(),
    runs: z.number(),
    lastRun: z.string().nullable(),
  })
  .openapi("SavedQuery");

const save = authorized("analyst", {
  method: "post",
  path: "/queries",
  request: {
    body: {
      content: { "application/json": { schema: z.object({ name: z.string(), params: TraceRequestSchema }) } },
      required: true,
    },
  },
  responses: {
    201: jsonContent("saved", z.object({ name: z.string(), params: TraceParamsSchema })),
    409: errorContent("name taken"),
    ...INPUT_ERRORS,
  },
});

const list = authorized("viewer", {
  method: "get",
  path: "/queries",
  responses: { 200: jsonContent("saved queries", z.object({ queries: z.array(SavedQuerySchema) })) },
});

const run = authorized("analyst", {
  method: "post",
  path: "/queries/{name}/run",
  request: { params: z.object({ name: z.string() }) },
  responses: {
    200: jsonContent("the run with its difference from the previous run", RunSchema),
    404: errorContent("no such query"),
    ...INPUT_ERRORS,
  },
});

const runs = authorized("viewer", {
  method: "get",
  path: "/queries/{name}/runs",
  request: { params: z.object({ name: z.string() }) },
  responses: {
    200: jsonContent("run history, newest first", z.object({ runs: z.array(RunSchema) })),
    404: errorContent("no such query"),
  },
});

/** An edit of a saved query and its schedule; fields left out stay as they are. */
export const QueryChangeSchema = z
  .object({
    name: z.string().optional().openapi({ description: "a new name (its runs and cases follow)" }),
    params: TraceRequestSchema.optional().openapi({ description: "new trace parameters, replacing the old" }),
    ...ScheduleChangeSchema.shape,
  })
  .strict()
  .openapi("QueryChange");

const Name = z.object({ name: z.string() });

const edit = authorized("analyst", {
  method: "patch",
  path: "/queries/{name}",
  request: {
    params: Name,
    body: { content: { "application/json": { schema: QueryChangeSchema } }, required: true },
  },
  responses: {
    200: jsonContent(
      "the query as it now is; with every/alertOn, its schedule",
      z.object({ name: z.string(), params: TraceParamsSchema, schedule: ScheduleSchema.optional() }),
    ),
    404: errorContent("no such query"),
    409: errorContent("new name taken"),
    ...INPUT_ERRORS,
  },
});

const remove = authorized("admin", {
  method: "delete",
  path: "/queries/{name}",
  request: { params: Name },
  responses: {
    200: jsonContent(
      "deleted with its runs; the cases that held it",
      z.object({ name: z.string(), runs: z.number(), cases: z.array(z.string()) }),
    ),
    404: errorContent("no such query"),
    ...INPUT_ERRORS,
  },
});

/** Saved trace queries and their run history. */
export function queryRoutes(services: Services) {
  return router()
    .openapi(save, async (c) => {
      const b = c.req.valid("json");
      return c.json(toJson(await services.queries.save(b.name, b.params)), 201);
    })
    .openapi(list, async (c) => c.json({ queries: toJson(await services.queries.list()) }, 200))
    .openapi(run, async (c) => c.json(asJson(await services.queries.run(c.req.valid("param").name)), 200))
    .openapi(runs, async (c) => {
      const rs = await services.queries.runs(c.req.valid("param").name);
      return c.json({ runs: rs.map(asJson) }, 200);
    })
    .openapi(edit, async (c) => {
      const { every, alertOn, ...change } = c.req.valid("json");
      const name = c.req.valid("param").name;
      // checked before anything changes: a bad schedule leaves the query as it was
      const sched =
        every === undefined && alertOn === undefined ? undefined : scheduleChange({ every, alertOn });
      const out = await services.store.tx(async () => {
        const q =
          sched && change.name === undefined && change.params === undefined
            ? { name, params: (await services.queries.get(name)).params }
            : await services.queries.edit(name, change);
        return sched ? { ...q, schedule: await services.watch.scheduleQuery(q.name, sched) } : q;
      });
      return c.json(toJson(out), 200);
    })
    .openapi(remove, async (c) => c.json(await services.queries.delete(c.req.valid("param").name), 200));
}
