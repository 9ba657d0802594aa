import { z } from "@hono/zod-openapi";
import type { Services } from "../../services/index.ts";
import { authorized } from "../auth.ts";
import { errorContent, INPUT_ERRORS, jsonContent, router, textContent } from "../router.ts";

const WalletSchema = z
  .object({
    chain: z.string(),
    address: z.string(),
    label: z.string().nullable(),
    category: z.string().nullable(),
    note: z.string().nullable(),
    addedAt: z.string(),
  })
  .openapi("CaseWallet");

const CaseSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    wallets: z.array(WalletSchema),
    notes: z.array(z.object({ id: z.string(), text: z.string(), createdAt: z.string() })),
    queries: z.array(
      z.object({
        name: z.string(),
        chain: z.string(),
        addresses: z.array(z.string()),
        lastRun: z.string().nullable(),
      }),
    ),
  })
  .openapi("Case");

const CaseSummarySchema = z.object({
  name: z.string(),
  title: z.string(),
  updatedAt: z.string(),
  wallets: z.number(),
  queries: z.number(),
  notes: z.number(),
});

const Name = z.object({ name: z.string() });
const body = <S extends z.ZodType>(schema: S) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const create = authorized("analyst", {
  method: "post",
  path: "/cases",
  request: body(
    z.object({ name: z.string(), title: z.string().optional(), description: z.string().optional() }),
  ),
  responses: { 201: jsonContent("created", CaseSchema), 409: errorContent("name taken"), ...INPUT_ERRORS },
});

const list = authorized("viewer", {
  method: "get",
  path: "/cases",
  responses: { 200: jsonContent("cases", z.object({ cases: z.array(CaseSummarySchema) })) },
});

const get = authorized("viewer", {
  method: "get",
  path: "/cases/{name}",
  request: { params: Name },
  responses: {
    200: jsonContent("the case: wallets, notes, queries", CaseSchema),
    404: errorContent("no such case"),
  },
});

const addWallet = authorized("analyst", {
  method: "post",
  path: "/cases/{name}/wallets",
  request: {
    params: Name,
    ...body(
      z.object({
        chain: z.string(),
        address: z.string(),
        label: z.string().optional(),
        category: z.string().optional(),
        note: z.string().optional(),
      }),
    ),
  },
  responses: {
    201: jsonContent("the flagged wallet", WalletSchema),
    404: errorContent("no such case"),
    ...INPUT_ERRORS,
  },
});

const addNote = authorized("analyst", {
  method: "post",
  path: "/cases/{name}/notes",
  request: { params: Name, ...body(z.object({ text: z.string() })) },
  responses: {
    201: jsonContent("the note", z.object({ id: z.string(), text: z.string() })),
    404: errorContent("no such case"),
    ...INPUT_ERRORS,
  },
});

const addQuery = authorized("analyst", {
  method: "post",
  path: "/cases/{name}/queries",
  request: { params: Name, ...body(z.object({ query: z.string() })) },
  responses: {
    201: jsonContent("the case", CaseSchema),
    404: errorContent("no such case or query"),
    ...INPUT_ERRORS,
  },
});

const tagpack = authorized("viewer", {
  method: "get",
  path: "/cases/{name}/tagpack",
  request: { params: Name },
  responses: {
    200: textContent("the case's attributions as a GraphSense TagPack", "application/yaml"),
    404: errorContent("no such case"),
  },
});

const edit = authorized("analyst", {
  method: "patch",
  path: "/cases/{name}",
  request: {
    params: Name,
    ...body(
      z
        .object({
          name: z.string().optional(),
          title: z.string().optional(),
          description: z.string().optional(),
        })
        .strict()
        .openapi("CaseChange"),
    ),
  },
  responses: {
    200: jsonContent("the case as it now is", CaseSchema),
    404: errorContent("no such case"),
    409: errorContent("new name taken"),
    ...INPUT_ERRORS,
  },
});

const remove = authorized("admin", {
  method: "delete",
  path: "/cases/{name}",
  request: { params: Name },
  responses: {
    200: jsonContent(
      "deleted with its wallets and notes; its saved queries stay",
      z.object({ name: z.string(), wallets: z.number(), notes: z.number(), queries: z.array(z.string()) }),
    ),
    404: errorContent("no such case"),
    ...INPUT_ERRORS,
  },
});

/** Cases: flagged wallets, notes and saved queries under one name. */
export function caseRoutes(services: Services) {
  return router()
    .openapi(create, async (c) => {
      const b = c.req.valid("json");
      return c.json(await services.cases.create(b.name, b), 201);
    })
    .openapi(list, async (c) => c.json({ cases: await services.cases.list() }, 200))
    .openapi(get, async (c) => c.json(await services.cases.get(c.req.valid("param").name), 200))
    .openapi(addWallet, async (c) => {
      const b = c.req.valid("json");
      return c.json(await services.cases.addWallet(c.req.valid("param").name, b.chain, b.address, b), 201);
    })
    .openapi(addNote, async (c) =>
      c.json(await services.cases.addNote(c.req.valid("param").name, c.req.valid("json").text), 201),
    )
    .openapi(addQuery, async (c) => {
      const name = c.req.valid("param").name;
      await services.cases.addQuery(name, c.req.valid("json").query);
      return c.json(await services.cases.get(name), 201);
    })
    .openapi(edit, async (c) =>
      c.json(await services.cases.edit(c.req.valid("param").name, c.req.valid("json")), 200),
    )
    .openapi(remove, async (c) => c.json(await services.cases.delete(c.req.valid("param").name), 200))
    .openapi(tagpack, async (c) =>
      c.body(await services.cases.tagpack(c.req.valid("param").name), 200, {
        "content-type": "application/yaml; charset=utf-8",
      }),
    );
}
