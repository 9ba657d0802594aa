import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { scheduleChange } from "../../services/watch/every.ts";
import { authorized } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router } from "../router.ts";
import { ScheduleChangeSchema, ScheduleSchema } from "../schemas.ts";

const Item = z.object({ chain: z.string().min(1).max(64), address: z.string().min(1).max(256) });

const WatchlistSummarySchema = z
  .object({
    name: z.string(),
    addresses: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
    schedule: ScheduleSchema,
  })
  .openapi("WatchlistSummary");

const WatchlistSchema = WatchlistSummarySchema.extend({ items: z.array(Item) }).openapi("Watchlist");

const WatchlistRunSchema = z
  .object({
    watchlist: z.string(),
    addresses: z.number(),
    fetched: z.array(z.object({ chain: z.string(), addresses: z.number(), requests: z.number() })),
    notFetched: z
      .array(z.object({ chain: z.string(), addresses: z.number(), reason: z.string() }))
      .openapi({ description: "addresses screened on stored data only, and why (never a false clean)" }),
    alerts: z.array(z.string()).openapi({ description: "ids of the alerts this run raised" }),
  })
  .openapi("WatchlistRun");

const Name = z.object({ name: z.string() });
const body = <S extends z.ZodType>(schema: S) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const create = authorized("analyst", {
  method: "post",
  path: "/watchlists",
  request: body(
    ScheduleChangeSchema.extend({
      name: z.string(),
      items: z.array(Item).min(1).max(100_000),
      replace: z.boolean().default(false).openapi({ description: "replace the entries of an existing list" }),
    }),
  ),
  responses: {
    201: jsonContent("the watchlist", WatchlistSchema),
    409: errorContent("name taken (send replace: true)"),
    ...INPUT_ERRORS,
  },
});

const list = authorized("viewer", {
  method: "get",
  path: "/watchlists",
  responses: { 200: jsonContent("watchlists", z.object({ watchlists: z.array(WatchlistSummarySchema) })) },
});

const get = authorized("viewer", {
  method: "get",
  path: "/watchlists/{name}",
  request: { params: Name },
  responses: { 200: jsonContent("the watchlist", WatchlistSchema), 404: errorContent("no such watchlist") },
});

const patch = authorized("analyst", {
  method: "patch",
  path: "/watchlists/{name}",
  request: { params: Name, ...body(ScheduleChangeSchema) },
  responses: {
    200: jsonContent("its schedule", ScheduleSchema),
    404: errorContent("no such watchlist"),
    ...INPUT_ERRORS,
  },
});

const remove = authorized("admin", {
  method: "delete",
  path: "/watchlists/{name}",
  request: { params: Name },
  responses: {
    200: jsonContent("deleted (its alerts stay)", z.object({ deleted: z.string() })),
    404: errorContent("no such watchlist"),
    ...INPUT_ERRORS,
  },
});

const run = authorized("analyst", {
  method: "post",
  path: "/watchlists/{name}/run",
  request: { params: Name },
  responses: {
    200: jsonContent("fetches what is new for its addresses and screens it now", WatchlistRunSchema),
    404: errorContent("no such watchlist"),
    ...INPUT_ERRORS,
  },
});

const schedules = authorized("viewer", {
  method: "get",
  path: "/schedules",
  responses: {
    200: jsonContent(
      "every saved query and watchlist with a schedule or alert settings, and label changes waiting to be re-screened",
      z.object({
        schedules: z.array(ScheduleSchema),
        pendingLabelChanges: z.array(z.object({ dataset: z.string(), error: z.string().nullable() })),
      }),
    ),
  },
});

/** Watchlists (named chain,address lists the watch screens) and the schedules of everything watched. */
export function watchlistRoutes(services: Services) {
  const watch = services.watch;
  return router()
    .openapi(create, async (c) => {
      const b = c.req.valid("json");
      const change = scheduleChange(b);
      return c.json(await watch.watchlists.create(b.name, b.items, { ...change, replace: b.replace }), 201);
    })
    .openapi(list, async (c) => c.json({ watchlists: await watch.watchlists.list() }, 200))
    .openapi(get, async (c) => c.json(await watch.watchlists.get(c.req.valid("param").name), 200))
    .openapi(patch, async (c) =>
      c.json(
        await watch.scheduleWatchlist(c.req.valid("param").name, scheduleChange(c.req.valid("json"))),
        200,
      ),
    )
    .openapi(remove, async (c) => {
      const name = c.req.valid("param").name;
      await watch.watchlists.delete(name);
      return c.json({ deleted: name }, 200);
    })
    .openapi(run, async (c) => c.json(await watch.runWatchlist(c.req.valid("param").name), 200))
    .openapi(schedules, async (c) =>
      c.json(
        { schedules: await watch.schedules.list(), pendingLabelChanges: await watch.pendingLabelChanges() },
        200,
      ),
    );
}
