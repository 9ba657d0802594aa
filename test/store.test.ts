import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.ts";
import { loadMigrations, loadQueries } from "../src/store/queries.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let n = 0;
const fresh = () => join(dir, `db${n++}.duckdb`);
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
async function openStore(path: string, opts = {}) {
  const s = await Store.open(path, opts);
  open.push(s);
  return s;
}

async function tableShape(s: Store) {
  return s.sql(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = 'main' ORDER BY table_name, column_name`,
  );
}

describe("store", () => {
  it("prepares every named query file against a fresh schema", async () => {
    const s = await openStore(fresh());
    const names = [...loadQueries().keys()];
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) await expect(s.prepareNamed(name), name).resolves.toBeUndefined();
  });

  it("every query file declares exactly the parameters it uses", () => {
    for (const q of loadQueries().values()) {
      const used = [
        ...new Set([...q.sql.replace(/^--.*$/gm, "").matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1])),
      ].sort();
      expect(used, q.file).toEqual([...q.params].sort());
    }
  });

  it("a fresh file from schema.sql equals an old file brought forward by the migrations", async () => {
    const a = await openStore(fresh());
    const b = await openStore(fresh(), { noMigrate: true });
    for (const m of loadMigrations()) await b.applyMigration(m.version);
    expect(await tableShape(b)).toEqual(await tableShape(a));
    expect(await a.schemaVersion()).toBe(Store.latestVersion());
  });

  it("migrates an old (version 1) file on open and keeps its rows", async () => {
    const path = fresh();
    const old = await openStore(path, { noMigrate: true });
    await old.applyMigration(1);
    await old.sql(
      `INSERT INTO labels (chain, address, currency, label, category, source, confidence, cluster_defining, dataset, imported_at)
       VALUES ('bitcoin', '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'BTC', 'genesis', 'miner', 'test', 100, false, 'd', now())`,
    );
    expect(await old.schemaVersion()).toBe(1);
    old.close();
    open.pop();
    const s = await openStore(path);
    expect(await s.schemaVersion()).toBe(Store.latestVersion());
    const rows = await s.sql("SELECT label, actor FROM labels");
    expect(rows).toEqual([{ label: "genesis", actor: null }]);
    expect((await s.sql("SELECT count(*)::INTEGER AS n FROM raw_responses"))[0]).toEqual({ n: 0 });
  });

  it("refuses a file from a newer fundtrace", async () => {
    const path = fresh();
    const s = await openStore(path);
    await s.sql("INSERT INTO schema_version (version) VALUES (999)");
    s.close();
    open.pop();
    await expect(Store.open(path)).rejects.toThrow(/newer than this fundtrace/);
  });

  it("keeps amounts above 2^64 exact through the appender and HUGEINT", async () => {
    const s = await openStore(fresh());
    const big = 10n ** 30n + 7n;
    await s.tx(async (tx) => {
      const app = await tx.appender("utxo_outputs");
      app.appendVarchar("bitcoin");
      app.appendVarchar("ab".repeat(32));
      app.appendInteger(0);
      app.appendVarchar("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
      app.appendHugeInt(big);
      app.appendNull();
      app.appendNull();
      app.appendNull();
      app.endRow();
      app.closeSync();
    });
    const rows = await s.sql("SELECT value, value + 1 AS plus FROM utxo_outputs");
    expect(rows[0]?.value).toBe(big);
    expect(rows[0]?.plus).toBe(big + 1n);
  });

  it("rolls back a failed transaction completely, appended rows included", async () => {
    const s = await openStore(fresh());
    await expect(
      s.tx(async (tx) => {
        const app = await tx.appender("addresses");
        app.appendVarchar("bitcoin");
        app.appendVarchar("x");
        app.appendNull();
        app.appendNull();
        app.endRow();
        app.closeSync();
        await tx.run("labels.delete_dataset", { dataset: "none" });
        throw new Error("crash mid-way");
      }),
    ).rejects.toThrow("crash mid-way");
    expect(await s.sql("SELECT count(*)::INTEGER AS n FROM addresses")).toEqual([{ n: 0 }]);
  });
});
