import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { jsonSafe } from "../json.ts";
import type { Services } from "../services/index.ts";
import { traceCsv, traceGraphml } from "../services/trace-format.ts";
import { ErrorSchema } from "./schemas.ts";

const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});
const errors = { 400: err("bad input"), 401: err("no API key"), 403: err("wrong API key") };
const json = (description: string, schema: z.ZodTypeAny = z.record(z.string(), z.unknown())) => ({
  description,
  content: { "application/json": { schema } },
});
const Name = z.object({ name: z.string() });
const Obj = z.record(z.string(), z.unknown());

/** What an audit row names as the target: the path, plus the name/chain/address a JSON body gives. */
export async function auditTarget(c: Context): Promise<string> {
  const parts = [c.req.path];
  try {
    const b = (await c.req.json()) as Record<string, unknown>;
    for (const k of ["name", "query", "chain", "address"])
      if (typeof b[k] === "string") parts.push(`${k}=${String(b[k]).slice(0, 100)}`);
    if (Array.isArray(b.addresses)) parts.push(`addresses=${b.addresses.slice(0, 5).join(",")}`);
    if (Array.isArray(b.items)) parts.push(`items=${b.items.length}`);
  } catch {
    // no JSON body
  }
  return parts.join(" ");
}

/** Cases, evidence packages, run exports and the audit log. */
export function registerCaseRoutes(app: OpenAPIHono, services: Services): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/cases",
      request: {
        body: {
          content: {
            "application/json": {
              schema: z.object({
                name: z.string(),
                title: z.string().optional(),
                description: z.string().optional(),
              }),
            },
          },
          required: true,
        },
      },
      responses: { 201: json("created"), 409: err("name taken"), ...errors },
    }),
    async (c) => {
      const b = c.req.valid("json");
      return c.json(jsonSafe(await services.cases.create(b.name, b)) as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/cases",
      responses: { 200: json("cases", z.object({ cases: z.array(Obj) })) },
    }),
    async (c) => c.json({ cases: (await services.cases.list()) as Record<string, unknown>[] }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/cases/{name}",
      request: { params: Name },
      responses: { 200: json("the case: wallets, notes, queries"), 404: err("no such case") },
    }),
    async (c) =>
      c.json(jsonSafe(await services.cases.get(c.req.valid("param").name)) as Record<string, unknown>, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/cases/{name}/wallets",
      request: {
        params: Name,
        body: {
          content: {
            "application/json": {
              schema: z.object({
                chain: z.string(),
                address: z.string(),
                label: z.string().optional(),
                category: z.string().optional(),
                note: z.string().optional(),
              }),
            },
          },
          required: true,
        },
      },
      responses: { 201: json("the flagged wallet"), 404: err("no such case"), ...errors },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const w = await services.cases.addWallet(c.req.valid("param").name, b.chain, b.address, b);
      return c.json(jsonSafe(w) as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/cases/{name}/notes",
      request: {
        params: Name,
        body: { content: { "application/json": { schema: z.object({ text: z.string() }) } }, required: true },
      },
      responses: { 201: json("the note"), 404: err("no such case"), ...errors },
    }),
    async (c) =>
      c.json(await services.cases.addNote(c.req.valid("param").name, c.req.valid("json").text), 201),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/cases/{name}/queries",
      request: {
        params: Name,
        body: {
          content: { "application/json": { schema: z.object({ query: z.string() }) } },
          required: true,
        },
      },
      responses: { 201: json("the case"), 404: err("no such case or query"), ...errors },
    }),
    async (c) => {
      const name = c.req.valid("param").name;
      await services.cases.addQuery(name, c.req.valid("json").query);
      return c.json(jsonSafe(await services.cases.get(name)) as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/cases/{name}/tagpack",
      request: { params: Name },
      responses: {
        200: {
          description: "the case's attributions as a GraphSense TagPack",
          content: { "application/yaml": { schema: z.string() } },
        },
        404: err("no such case"),
      },
    }),
    async (c) =>
      c.body(await services.cases.tagpack(c.req.valid("param").name), 200, {
        "content-type": "application/yaml; charset=utf-8",
      }),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/queries/{name}/runs/{id}/evidence",
      request: {
        params: z.object({ name: z.string(), id: z.string() }),
        query: z.object({ format: z.enum(["json", "csv", "graphml"]).default("json") }),
      },
      responses: {
        200: {
          description:
            "evidence package (json: parameters, result, version, upstream URLs and SHA-256 of each body) or an export",
          content: {
            "application/json": { schema: Obj },
            "text/csv": { schema: z.string() },
            "application/graphml+xml": { schema: z.string() },
          },
        },
        404: err("no such query or run"),
      },
    }),
    async (c) => {
      const { name, id } = c.req.valid("param");
      const d = await services.queries.runDetail(name, id === "latest" ? undefined : id);
      const format = c.req.valid("query").format;
      if (format === "csv")
        return c.body(traceCsv(d.trace), 200, { "content-type": "text/csv; charset=utf-8" });
      if (format === "graphml")
        return c.body(traceGraphml(d.trace), 200, {
          "content-type": "application/graphml+xml; charset=utf-8",
        });
      const pkg = await services.evidence.forRun(d);
      return c.json(pkg as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit",
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) }) },
      responses: { 200: json("API writes, newest first", z.object({ entries: z.array(Obj) })), ...errors },
    }),
    async (c) =>
      c.json(
        {
          entries: (await services.audit.list(c.req.valid("query").limit)) as unknown as Record<
            string,
            unknown
          >[],
        },
        200,
      ),
  );
}
