import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let n = 0;
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
async function fresh(): Promise<Store> {
  const s = await Store.open(join(dir, `c${n++}.duckdb`));
  open.push(s);
  return s;
}

/** Gives other async work a turn (a macrotask), so concurrent transactions interleave. */
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

const NOTES = 3;

/** One case with its notes in one transaction; `fail` throws after everything is written. */
async function writeCase(s: Store, name: string, fail: boolean): Promise<void> {
  await s.tx(async () => {
    await s.run("cases.insert", { name, title: `title of ${name}`, description: null });
    for (let i = 0; i < NOTES; i++) {
      await yieldNow();
      await s.run("cases.insert_note", { id: `${name}/${i}`, case_name: name, text: `note ${i} of ${name}` });
    }
    await s.run("cases.touch", { name });
    if (fail) throw new Error(`${name} fails after writing`);
  });
}

/** Every case with its notes, read outside any transaction. */
async function snapshot(s: Store): Promise<Map<string, { wallets: number; notes: number; title: string }>> {
  const rows = await s.all("cases.list");
  return new Map(
    rows.map((r) => [
      r.name as string,
      { wallets: Number(r.wallets), notes: Number(r.notes), title: r.title as string },
    ]),
  );
}

describe("store isolation under concurrency", () => {
  it("concurrent transactions keep exactly the committed rows, each with its own parameters; reads see only whole commits", async () => {
    const s = await fresh();
    const count = 60;
    const names = Array.from({ length: count }, (_, i) => `case-${i}`);
    const fails = new Set(names.filter((_, i) => i % 5 === 3));
    let writing = true;
    const observed: number[] = [];
    // readers run the whole time on their own connections
    const readers = Array.from({ length: 3 }, async () => {
      while (writing) {
        const snap = await snapshot(s);
        for (const [name, c] of snap) {
          // a case is seen with all its notes or not at all, and never one that rolls back
          expect(c.notes, name).toBe(NOTES);
          expect(c.title).toBe(`title of ${name}`);
          expect(fails.has(name), name).toBe(false);
        }
        observed.push(snap.size);
        await yieldNow();
      }
    });
    const results = await Promise.allSettled(names.map((name) => writeCase(s, name, fails.has(name))));
    writing = false;
    await Promise.all(readers);

    expect(results.filter((r) => r.status === "rejected")).toHaveLength(fails.size);
    results.forEach((r, i) => {
      if (r.status === "rejected") expect(String(r.reason)).toContain(`${names[i]} fails after writing`);
    });
    const committed = names.filter((x) => !fails.has(x));
    const snap = await snapshot(s);
    expect([...snap.keys()].sort()).toEqual([...committed].sort());
    // every note carries its own case's parameters (no statement shared between transactions)
    const notes = await s.sql("SELECT id, case_name, text FROM case_notes ORDER BY id");
    expect(notes).toHaveLength(committed.length * NOTES);
    for (const r of notes) {
      const [caseName, i] = String(r.id).split("/");
      expect(r.case_name).toBe(caseName);
      expect(r.text).toBe(`note ${i} of ${caseName}`);
    }
    // the readers ran while the writes went on (they saw the count grow)
    expect(observed.length).toBeGreaterThan(4);
    expect(Math.min(...observed)).toBeLessThan(committed.length);
  });

  it("a read outside a transaction neither waits for an open one nor sees its rows", async () => {
    const s = await fresh();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const long = s.tx(async () => {
      await s.run("cases.insert", { name: "open", title: "open", description: null });
      // inside, its own uncommitted row is visible
      expect(await s.one("cases.get", { name: "open" })).toMatchObject({ name: "open" });
      written();
      await held; // a long write: the reads below complete while it is open
    });
    await wrote;
    expect(await s.one("cases.get", { name: "open" })).toBeUndefined();
    expect(await snapshot(s)).toEqual(new Map());
    release();
    await long;
    expect(await s.one("cases.get", { name: "open" })).toMatchObject({ name: "open", title: "open" });
  });

  it("a cached plan sees rows written after it was prepared (IN over a table that was empty)", async () => {
    const s = await fresh();
    await s.appendInts(
      "utxo_input_ids",
      [Int32Array.of(1), Int32Array.of(0), Int32Array.of(7), BigInt64Array.of(5n)],
      1,
    );
    // cluster.input_pairs: inputs WHERE tx_id IN (SELECT tx_id FROM cluster_work_tx ...), prepared and
    // cached while cluster_work_tx is empty (DuckDB 1.5.6 then plans an empty result)
    const ask = async () => (await s.typedColumns("cluster.input_pairs"))[1];
    expect(await ask()).toEqual(new Int32Array(0));
    const addWork = async () => {
      const app = await s.appender("cluster_work_tx");
      app.appendInteger(1);
      app.appendNull();
      app.endRow();
      app.closeSync();
    };
    await s.tx(addWork);
    expect(await ask()).toEqual(Int32Array.of(7));
    // inside a transaction, after its own writes
    await s.tx(async () => {
      await s.run("cluster.clear_work_tx");
      expect(await ask()).toEqual(new Int32Array(0));
      await addWork();
      expect(await ask()).toEqual(Int32Array.of(7));
    });
  });

  it("a stream a commit lands in is streamed again from the start, after the caller's restart", async () => {
    const s = await fresh();
    const n = 5000; // three chunks
    await s.sql(
      `INSERT INTO address_ids SELECT 'a' || i, i, i FROM range(${n}) t(i);
       INSERT INTO sync_cursors SELECT 'src', 'bitcoin', 'a' || i, NULL, NULL, now() FROM range(${n}) t(i)`,
    );
    let seen: number[] = [];
    let restarts = 0;
    let wrote: Promise<void> | undefined;
    const total = await s.streamInts(
      "trace.ingested",
      { chain: "bitcoin" },
      (cols, rows) => {
        // a write to the table read, committed while the stream runs
        wrote ??= s.run("sync.set_cursor", {
          source: "src",
          chain: "bitcoin",
          address: "a1",
          cursor: "c",
          tip_height: 1n,
        });
        for (let i = 0; i < rows; i++) seen.push((cols[0] as Int32Array)[i]!);
      },
      () => {
        restarts++;
        seen = [];
      },
    );
    await wrote;
    expect(restarts).toBe(1);
    expect(total).toBe(n);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("a tx() inside a transaction joins it; a statement after the transaction ended is refused", async () => {
    const s = await fresh();
    let late: Promise<unknown> | undefined;
    await expect(
      s.tx(async () => {
        await s.run("cases.insert", { name: "outer", title: "t", description: null });
        await s.tx(async () => {
          await s.run("cases.insert_note", { id: "n1", case_name: "outer", text: "x" });
        });
        throw new Error("roll back both");
      }),
    ).rejects.toThrow("roll back both");
    expect(await snapshot(s)).toEqual(new Map());
    await s.tx(async () => {
      // started inside, not awaited: it runs after the commit
      late = (async () => {
        await yieldNow();
        await yieldNow();
        return s.run("cases.insert", { name: "late", title: "t", description: null });
      })().catch((e: unknown) => e);
    });
    expect(String(await late)).toMatch(/after its transaction ended/);
    expect(await s.one("cases.get", { name: "late" })).toBeUndefined();
  });
});

describe("drain before close (serve's shutdown)", () => {
  it("lets a running transaction finish and commit, then refuses new statements", async () => {
    const s = await fresh();
    const t = s.tx(async () => {
      await s.run("cases.insert", { name: "late", title: "t", description: null });
      await new Promise((r) => setTimeout(r, 150));
      await s.run("cases.insert_note", { id: "late/0", case_name: "late", text: "written while draining" });
    });
    await new Promise((r) => setTimeout(r, 20));
    await s.drain(10_000);
    await t;
    await expect(s.all("cases.list")).rejects.toThrow("store is closed");
    const path = s.path;
    s.close();
    const again = await Store.open(path);
    open.push(again);
    expect(
      (await again.sql("SELECT text FROM case_notes WHERE case_name = 'late'")).map((r) => r.text),
    ).toEqual(["written while draining"]);
  });

  it("interrupts a statement still running after the grace period, so close() returns", async () => {
    const s = await fresh();
    const endless = s.sql("SELECT count(*) AS n FROM range(100000) a, range(100000000) b");
    await new Promise((r) => setTimeout(r, 100));
    await s.drain(200);
    await expect(endless).rejects.toThrow(/interrupt/i);
    s.close();
  });
});
