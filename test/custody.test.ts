import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

// Chain of custody: saved queries and cases renamed, edited and deleted (audited), and `query run`
// telling a nightly job by its exit code whether anything changed.
const dir = tempDir();
const c = new DevChain({ seed: "custody" });
const shop = c.wallet("shop");
const vendor = c.wallet("vendor");
const V = vendor.address();
const E = c.wallet("exchange").address();
const hop1 = c.wallet("hop1");
const u = c.fund(V, 1_000_000n);
c.mine();
c.send({
  from: [u],
  to: [
    { address: hop1.address(), value: 900_000n },
    { address: shop.address(), value: 99_000n },
  ],
  fee: 1_000n,
});
c.mine();
c.send({ from: hop1, to: [{ address: E, value: 899_000n }], fee: 1_000n });
c.mine();

const LABEL_CSV = "chain,address,label,category,source,confidence,program,reference,cluster_defining\n";
let server: EsploraServer;
let cliArgs: string[];
beforeAll(async () => {
  server = await startServer(c);
  cliArgs = ["--db", join(dir, "cli.duckdb"), "--no-default-labels", "--esplora-url", server.url];
  const labels = join(dir, "exchange.csv");
  writeFileSync(labels, `${LABEL_CSV}bitcoin,${E},Test Exchange,exchange,test,50,,,false\n`);
  expect((await runCli([...cliArgs, "labels", "import", labels])).code).toBe(0);
});
afterAll(async () => {
  await server?.close();
});

const cli = (...args: string[]) => runCli([...cliArgs, ...args]);
const json = async (...args: string[]) => {
  const r = await cli("--json", ...args);
  expect(r.stderr).toBe("");
  return { code: r.code, body: JSON.parse(r.stdout) };
};

describe("query run as a nightly job", { tags: ["slow"] }, () => {
  it("exits 0 when nothing changed, 3 when something did; --all runs every query", async () => {
    expect((await cli("query", "save", "vendor", "--", "bitcoin", V, "--hops", "4")).code).toBe(0);
    expect(
      (await cli("query", "save", "exchange-in", "--", "bitcoin", E, "--direction", "backward")).code,
    ).toBe(0);
    expect((await cli("query", "run", "vendor")).code).toBe(0); // a first run: nothing to compare
    const same = await cli("query", "run", "vendor");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("no change since the last run");
    const first = await json("query", "run", "--all");
    expect(first.code).toBe(0);
    expect(first.body.runs.map((r: any) => r.query)).toEqual(["exchange-in", "vendor"]);
    expect(first.body.failed).toEqual([]);

    // the shop moves its tainted coins to the exchange
    c.send({ from: shop, to: [{ address: E, value: 98_000n }], fee: 1_000n });
    c.mine();
    const changed = await cli("query", "run", "vendor");
    expect(changed.code).toBe(3);
    expect(changed.stdout).toMatch(/CHANGED .* -> /);
    // the vendor is paid again and pays the exchange directly
    c.fund(V, 500_000n);
    c.mine();
    c.send({ from: vendor, to: [{ address: E, value: 499_000n }], fee: 1_000n });
    c.mine();
    const all = await json("query", "run", "--all");
    expect(all.code).toBe(3);
    expect(all.body.runs.find((r: any) => r.query === "vendor").diff.newPaths.length).toBe(1);
    expect((await cli("query", "run", "--all")).code).toBe(0); // and nothing since
  });

  it("refuses a name together with --all, and neither", async () => {
    const both = await cli("query", "run", "vendor", "--all");
    expect(both).toMatchObject({ code: 2, stderr: "fundtrace: give a query name or --all, not both\n" });
    expect((await cli("query", "run")).code).toBe(2);
  });
});

describe("renaming, editing and deleting from the CLI", { tags: ["slow"] }, () => {
  it("a renamed query keeps its runs and its case; an edit replaces its parameters; delete removes both", async () => {
    await cli("query", "save", "q1", "--", "bitcoin", V, "--hops", "4");
    await cli("query", "run", "q1");
    await cli("case", "create", "op1", "--title", "Operation one");
    await cli("case", "add-query", "op1", "q1");
    await cli("case", "add-wallet", "op1", "bitcoin", V, "--label", "Vendor");
    await cli("case", "note", "op1", "first note");

    const renamed = await json("query", "rename", "q1", "q2");
    expect(renamed.body).toMatchObject({
      name: "q2",
      params: { chain: "bitcoin", addresses: [V], maxHops: 4 },
    });
    const shown = await json("query", "show", "q2");
    expect(shown.body.runs).toHaveLength(1);
    expect((await cli("query", "show", "q1")).code).toBe(2);
    expect((await json("case", "show", "op1")).body.queries.map((q: any) => q.name)).toEqual(["q2"]);

    const edited = await json("query", "edit", "q2", "--", "bitcoin", V, "--hops", "2", "--model", "fifo");
    expect(edited.body.params).toMatchObject({ maxHops: 2, model: "fifo" });
    expect((await json("query", "show", "q2")).body.params).toMatchObject({ maxHops: 2, model: "fifo" });

    const caseRenamed = await json("case", "rename", "op1", "op2");
    expect(caseRenamed.body).toMatchObject({ name: "op2", title: "Operation one" });
    expect(caseRenamed.body.wallets.map((w: any) => w.label)).toEqual(["Vendor"]);
    expect(caseRenamed.body.notes.map((n: any) => n.text)).toEqual(["first note"]);
    const caseEdited = await json("case", "edit", "op2", "--title", "Operation two", "--description", "d");
    expect(caseEdited.body).toMatchObject({ title: "Operation two", description: "d" });
    expect((await cli("case", "edit", "op2")).stderr).toBe(
      "fundtrace: nothing to change: give a new name, title or description\n",
    );

    const deleted = await json("query", "delete", "q2");
    expect(deleted.body).toEqual({ name: "q2", runs: 1, cases: ["op2"] });
    expect((await json("case", "show", "op2")).body.queries).toEqual([]);
    const caseDeleted = await json("case", "delete", "op2");
    expect(caseDeleted.body).toEqual({ name: "op2", wallets: 1, notes: 1, queries: [] });
    expect((await json("case", "list")).body.cases.map((x: any) => x.name)).not.toContain("op2");
    expect((await cli("case", "delete", "op2")).code).toBe(2);
  });
});

describe("renaming, editing and deleting through the API, audited", () => {
  let s: Services;
  beforeAll(async () => {
    s = await btcServices(dir, "custody-api", server.url);
    await s.queries.save("watch", { chain: "bitcoin", addresses: [V], maxHops: 3 });
    await s.cases.create("file-7", { title: "File 7" });
    await s.cases.addQuery("file-7", "watch");
  });
  afterAll(() => s?.close());

  const call = (method: string, path: string, body?: unknown) =>
    createApp(s).request(path, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("PATCH and DELETE on /v1/queries/:name and /v1/cases/:name, each in the audit log", async () => {
    const p = await call("PATCH", "/v1/queries/watch", {
      name: "watch-2",
      params: { chain: "bitcoin", address: E },
    });
    expect(p.status).toBe(200);
    expect(await p.json()).toMatchObject({ name: "watch-2", params: { chain: "bitcoin", addresses: [E] } });
    expect((await s.cases.get("file-7")).queries.map((q) => q.name)).toEqual(["watch-2"]);
    expect((await call("PATCH", "/v1/queries/watch-2", {})).status).toBe(400);
    expect((await call("PATCH", "/v1/queries/watch-2", { nmae: "x" })).status).toBe(400);
    expect((await call("PATCH", "/v1/queries/nope", { name: "x" })).status).toBe(404);

    const pc = await call("PATCH", "/v1/cases/file-7", { name: "file-8", description: "moved" });
    expect(pc.status).toBe(200);
    expect(await pc.json()).toMatchObject({ name: "file-8", title: "File 7", description: "moved" });

    const dq = await call("DELETE", "/v1/queries/watch-2");
    expect(dq.status).toBe(200);
    expect(await dq.json()).toEqual({ name: "watch-2", runs: 0, cases: ["file-8"] });
    const dc = await call("DELETE", "/v1/cases/file-8");
    expect(dc.status).toBe(200);
    expect((await call("DELETE", "/v1/cases/file-8")).status).toBe(404);

    const audit = (await s.audit.list(20)).map((e) => `${e.action} ${e.status}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        "PATCH /v1/queries/:name 200",
        "PATCH /v1/cases/:name 200",
        "DELETE /v1/queries/:name 200",
        "DELETE /v1/cases/:name 200",
        "DELETE /v1/cases/:name 404",
      ]),
    );
  });
});
