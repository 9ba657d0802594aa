import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { benchQueries, withBenchQueries } from "../bench/queries.ts";
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
  it("moves integer columns in and out as typed arrays, over many chunks and with a constant text column", async () => {
    const s = await openStore(fresh());
    const n = 5000; // more than two DuckDB chunks of 2048
    const ids = Int32Array.from({ length: n }, (_, i) => i * 7 - 3);
    const keys = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 2n ** 40n + 5n);
    await s.tx(() => s.appendInts("cluster_member_ids", ["bitcoin", ids, keys], n - 1));
    const rows = await s.sql(
      "SELECT chain, count(*)::INTEGER AS n, sum(addr_id)::BIGINT AS ids, max(cluster_id) AS top FROM cluster_member_ids GROUP BY chain",
    );
    expect(rows).toEqual([
      {
        chain: "bitcoin",
        n: n - 1,
        ids: BigInt(((n - 2) * (n - 1) * 7) / 2 - 3 * (n - 1)),
        top: keys[n - 2],
      },
    ]);
    const [grp, addr, cid] = await s.typedColumns("cluster.members_of_ids", {
      chain: "bitcoin",
      ids: listValue([ids[4998]!]),
    });
    expect(grp).toEqual(Int32Array.of(1));
    expect(addr).toEqual(Int32Array.of(ids[4998]!));
    expect(cid).toEqual(BigInt64Array.of(keys[4998]!));
    const streamed: bigint[] = [];
    await s.streamInts(
      "cluster.members_of_ids",
      { chain: "bitcoin", ids: listValue([ids[0]!]) },
      (cols, r) => {
        for (let i = 0; i < r; i++) streamed.push((cols[2] as BigInt64Array)[i]!);
      },
    );
    expect(streamed).toEqual([keys[0]]);
  });

  it("prepares every named query file against a fresh schema", async () => {
    const s = await openStore(fresh());
    const names = [...loadQueries().keys()];
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) await expect(s.prepareNamed(name), name).resolves.toBeUndefined();
  });

  it("prepares every bench statement (bench/queries, loaded only by the benches)", async () => {
    const s = await openStore(fresh());
    const bench = benchQueries();
    expect(bench.size).toBeGreaterThan(5);
    expect(s.queryNames().filter((n) => n.startsWith("bench."))).toEqual([]);
    withBenchQueries(s);
    for (const name of bench.keys()) await expect(s.prepareNamed(name), name).resolves.toBeUndefined();
    expect(() => s.addQueries(loadQueries())).toThrow(/duplicate query name/);
  });

  it("every statement's footprint names each table its plan scans (cached plans are renewed by it)", async () => {
    const s = await openStore(fresh());
    await s.sql("SET explain_output = 'all'");
    let seen = 0;
    // a statement that reads a file binds it when planned: an empty one
    const file = join(dir, "empty.ndjson");
    writeFileSync(file, "");
    for (const q of [...loadQueries().values(), ...benchQueries().values()]) {
      const nulls = Object.fromEntries(q.params.map((p) => [p, p === "file" ? file : null]));
      const rows = await s.sql(`EXPLAIN (FORMAT json) ${q.sql}`, nulls);
      const plan = String(rows.find((r) => r.explain_key === "logical_plan")?.explain_value);
      const scanned = [...plan.matchAll(/"Table": "(?:\w+\.)*(\w+)"/g)].map((m) => m[1]!);
      seen += scanned.length;
      for (const t of scanned) expect([...q.reads, ...q.writes], `${q.name} scans ${t}`).toContain(t);
      expect(q.write, q.name).toBe(/^\s*(INSERT|UPDATE|DELETE)\b/i.test(q.sql.replace(/--.*$/gm, "")));
    }
    expect(seen).toBeGreaterThan(100);
  });

  it("every query file declares exactly the parameters it uses", () => {
    for (const q of [...loadQueries().values(), ...benchQueries().values()]) {
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

  it("migrates a version-4 file's clusters to integer ids, keeping members and every merge's evidence", async () => {
    const path = fresh();
    const old = await openStore(path, { noMigrate: true });
    for (let v = 1; v <= 4; v++) await old.applyMigration(v);
    const [a, b, c, d] = [
      "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
      "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
      "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
      "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h",
    ];
    const t = "ab".repeat(32);
    await old.sql(
      `INSERT INTO utxo_txs (chain, txid, confirmed, fee, input_count, output_count) VALUES ('bitcoin', '${t}', true, 500, 3, 1)`,
    );
    await old.sql(
      `INSERT INTO utxo_inputs (chain, txid, vin, address, value, is_coinbase) VALUES
       ('bitcoin', '${t}', 0, '${a}', 1000, false), ('bitcoin', '${t}', 1, '${b}', 2000, false),
       ('bitcoin', '${t}', 2, '${c}', 3000, false)`,
    );
    await old.sql(
      `INSERT INTO utxo_outputs (chain, txid, vout, address, value) VALUES ('bitcoin', '${t}', 0, '${d}', 5500)`,
    );
    await old.sql(
      `INSERT INTO cluster_members VALUES ('bitcoin', '${a}', 42), ('bitcoin', '${b}', 42), ('bitcoin', '${c}', 42), ('bitcoin', '${d}', 42)`,
    );
    await old.sql(
      `INSERT INTO cluster_evidence VALUES ('bitcoin', 42, '${t}', 'multi-input', '${a}', '${b}', 100),
       ('bitcoin', 42, '${t}', 'multi-input', '${a}', '${c}', 100),
       ('bitcoin', 42, '${t}', 'change:one-time-change', '${a}', '${d}', 70)`,
    );
    await old.sql("INSERT INTO clusters VALUES ('bitcoin', 42, 4, false)");
    await old.sql(`INSERT INTO cluster_txs VALUES ('bitcoin', '${t}', NULL)`);
    old.close();
    open.pop();

    const s = await openStore(path);
    expect(await s.schemaVersion()).toBe(Store.latestVersion());
    // the new id is the smallest member key: the first 60 bits of the address's MD5
    const key = (x: string) => BigInt(`0x${createHash("md5").update(x).digest("hex").slice(0, 15)}`);
    const id = [a, b, c, d].map(key).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))[0];
    expect(await s.sql("SELECT address, cluster_id FROM cluster_members ORDER BY address")).toEqual(
      [a, b, c, d].sort().map((address) => ({ address, cluster_id: id })),
    );
    expect(
      await s.sql(
        "SELECT cluster_id, txid, heuristic, address_b, confidence FROM cluster_evidence WHERE address_a = $a ORDER BY address_b",
        { a },
      ),
    ).toEqual(
      [
        { cluster_id: id, txid: t, heuristic: "multi-input", address_b: b, confidence: 100 },
        { cluster_id: id, txid: t, heuristic: "multi-input", address_b: c, confidence: 100 },
        { cluster_id: id, txid: t, heuristic: "change:one-time-change", address_b: d, confidence: 70 },
      ].sort((x, y) => (x.address_b < y.address_b ? -1 : 1)),
    );
    expect(await s.sql("SELECT cluster_id, size FROM clusters")).toEqual([{ cluster_id: id, size: 4 }]);
    expect(await s.sql("SELECT vin, addr_key FROM utxo_input_ids ORDER BY vin")).toEqual(
      [a, b, c].map((x, vin) => ({ vin, addr_key: key(x) })),
    );
  });

  it("migrates a version-12 file's change guesses to integer ids, read back the same", async () => {
    const path = fresh();
    const old = await openStore(path, { noMigrate: true });
    for (let v = 1; v <= 12; v++) await old.applyMigration(v);
    const [t, u] = ["cd".repeat(32), "ef".repeat(32)];
    const [a, b] = ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"];
    await old.sql(`INSERT INTO tx_ids VALUES ('${t}', 7), ('${u}', 3)`);
    await old.sql(`INSERT INTO address_ids VALUES ('${a}', 5, 50), ('${b}', 9, 90)`);
    const rows = [
      ["bitcoin", t, 1, a, "address-reuse", 95, `pays input address ${a} back`],
      ["bitcoin", t, 1, a, "round-payment", 50, "1234 sat is the only non-round amount; payments 5000 sat"],
      ["bitcoin", u, 0, b, "one-time-change", 60, "only new p2wpkh output like the inputs"],
    ];
    for (const r of rows)
      await old.sql(
        "INSERT INTO change_guesses VALUES ($chain, $txid, $vout, $address, $heuristic, $confidence, $reason)",
        Object.fromEntries(
          ["chain", "txid", "vout", "address", "heuristic", "confidence", "reason"].map((k, i) => [k, r[i]!]),
        ),
      );
    old.close();
    open.pop();

    const s = await openStore(path);
    expect(await s.schemaVersion()).toBe(Store.latestVersion());
    const q = "SELECT chain, txid, vout, address, heuristic, confidence, reason FROM change_guesses";
    expect((await s.sql(`${q} ORDER BY txid, heuristic`)).map((r) => Object.values(r))).toEqual(rows);
    expect(await s.sql("SELECT tx_id, addr_id FROM change_guess_ids ORDER BY tx_id, heuristic")).toEqual([
      { tx_id: 3, addr_id: 9 },
      { tx_id: 7, addr_id: 5 },
      { tx_id: 7, addr_id: 5 },
    ]);
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
