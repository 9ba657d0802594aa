import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBIntegerType,
  DuckDBIntegerVector,
  type DuckDBPreparedStatement,
  type DuckDBValue,
  type DuckDBVector,
} from "@duckdb/node-api";
import { StoreError } from "../errors.ts";
import { loadMigrations, loadQueries, loadSchema, type NamedQuery } from "./queries.ts";

export type Params = Record<string, DuckDBValue | undefined>;
export type Row = Record<string, unknown>;

/** Serialises work on the one DuckDB connection: a transaction must not interleave with other calls. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}

export interface OpenOptions {
  /** Do not run migrations (used by tests that build an old file). */
  noMigrate?: boolean;
}

/** The DuckDB store: named queries from queries/, migrations, transactions and appenders. */
export class Store {
  private readonly prepared = new Map<string, DuckDBPreparedStatement>();
  private readonly lock = new Mutex();
  private inTx = false;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly queries: Map<string, NamedQuery>,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Store> {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (cause) {
      throw new StoreError(`cannot open database ${path}: ${(cause as Error).message}`, { cause });
    }
    const conn = await instance.connect();
    const store = new Store(path, instance, conn, loadQueries());
    if (!opts.noMigrate) await store.migrate();
    return store;
  }

  /** Current schema version of the file (0 for an empty file). */
  async schemaVersion(): Promise<number> {
    const t = await this.conn.runAndReadAll(
      "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'schema_version' AND database_name = current_database()",
    );
    if ((t.getRowObjectsJS()[0]?.n as number) === 0) return 0;
    const r = await this.conn.runAndReadAll(
      "SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_version",
    );
    return r.getRowObjectsJS()[0]?.v as number;
  }

  static latestVersion(): number {
    const m = loadMigrations();
    return m[m.length - 1]?.version ?? 0;
  }

  /** Fresh file: schema.sql. Older file: each migration after its version, in one transaction each. */
  async migrate(): Promise<{ from: number; to: number }> {
    return this.lock.run(async () => {
      const from = await this.schemaVersion();
      const migrations = loadMigrations();
      const latest = migrations[migrations.length - 1]?.version ?? 0;
      if (from > latest) {
        throw new StoreError(
          `database ${this.path} has schema version ${from}, newer than this fundtrace (${latest})`,
        );
      }
      if (from === latest) return { from, to: latest };
      try {
        await this.conn.run("BEGIN TRANSACTION");
        if (from === 0) {
          await this.conn.run(loadSchema());
          await this.conn.run("INSERT INTO schema_version (version) VALUES ($v)", { v: latest });
        } else {
          for (const m of migrations.filter((x) => x.version > from)) {
            await this.conn.run(m.sql);
            await this.conn.run("INSERT INTO schema_version (version) VALUES ($v)", { v: m.version });
          }
        }
        await this.conn.run("COMMIT");
      } catch (cause) {
        await this.conn.run("ROLLBACK").catch(() => undefined);
        throw new StoreError(
          `migrating ${this.path} from version ${from} failed: ${(cause as Error).message}`,
          { cause },
        );
      }
      return { from, to: latest };
    });
  }

  /** Applies one migration file's SQL directly (tests build old files with it). */
  async applyMigration(version: number): Promise<void> {
    const m = loadMigrations().find((x) => x.version === version);
    if (!m) throw new StoreError(`no migration ${version}`);
    await this.conn.run(m.sql);
    await this.conn.run("INSERT INTO schema_version (version) VALUES ($v)", { v: version });
  }

  queryNames(): string[] {
    return [...this.queries.keys()];
  }

  private async stmt(name: string): Promise<DuckDBPreparedStatement> {
    let s = this.prepared.get(name);
    if (s) return s;
    const q = this.queries.get(name);
    if (!q) throw new StoreError(`no query named ${name}`);
    try {
      s = await this.conn.prepare(q.sql);
    } catch (cause) {
      throw new StoreError(`query ${name} (${q.file}) does not prepare: ${(cause as Error).message}`, {
        cause,
      });
    }
    this.prepared.set(name, s);
    return s;
  }

  /** Prepares a named statement without running it (the test that checks every file uses this). */
  async prepareNamed(name: string): Promise<void> {
    await this.lock.run(() => this.stmt(name));
  }

  /** Runs a named query and returns its columns as arrays (fast path for millions of rows). */
  async columns(name: string, params: Params = {}): Promise<Record<string, unknown[]>> {
    const go = async () => {
      const s = await this.bound(name, params);
      try {
        return (await s.runAndReadAll()).getColumnsObjectJS() as Record<string, unknown[]>;
      } catch (cause) {
        throw new StoreError(`query ${name} failed: ${(cause as Error).message}`, { cause });
      }
    };
    return this.inTx ? go() : this.lock.run(go);
  }

  /** Runs a named query whose columns are all INTEGER (non-null) into typed arrays, chunk by chunk. */
  async intColumns(name: string, params: Params = {}): Promise<Int32Array[]> {
    const go = async () => {
      const s = await this.bound(name, params);
      try {
        const result = await s.run();
        const cols = Array.from({ length: result.columnCount }, () => new Int32Array(result.rowCount));
        let len = 0;
        for (;;) {
          const chunk = await result.fetchChunk();
          const rows = chunk?.rowCount ?? 0;
          if (!chunk || rows === 0) break;
          for (let c = 0; c < cols.length; c++) {
            const v = chunk.getColumnVector(c);
            const out = cols[c]!;
            const raw = rawInts(v, rows);
            if (raw) out.set(raw, len);
            else for (let r = 0; r < rows; r++) out[len + r] = v.getItem(r) as number;
          }
          len += rows;
        }
        return cols;
      } catch (cause) {
        throw new StoreError(`query ${name} failed: ${(cause as Error).message}`, { cause });
      }
    };
    return this.inTx ? go() : this.lock.run(go);
  }

  /** Appends rows of INTEGER columns (the table's only columns, in order) from typed arrays. */
  async appendInts(table: string, cols: Int32Array[], count: number): Promise<void> {
    const app = await this.conn.createAppender(table);
    const size = 2048;
    const chunk = DuckDBDataChunk.create(cols.map(() => DuckDBIntegerType.instance));
    for (let off = 0; off < count; off += size) {
      const rows = Math.min(size, count - off);
      chunk.rowCount = rows;
      for (let c = 0; c < cols.length; c++) {
        const v = chunk.getColumnVector(c);
        const src = cols[c]!;
        const raw = rawInts(v, rows);
        if (raw) raw.set(src.subarray(off, off + rows));
        else for (let r = 0; r < rows; r++) v.setItem(r, src[off + r]!);
        v.flush();
      }
      app.appendDataChunk(chunk);
    }
    app.closeSync();
  }

  private async bound(name: string, params: Params): Promise<DuckDBPreparedStatement> {
    if (this.closed) throw new StoreError("store is closed");
    const s = await this.stmt(name);
    const q = this.queries.get(name)!;
    s.clearBindings();
    const values: Record<string, DuckDBValue> = {};
    for (const p of q.params) {
      const v = params[p];
      values[p] = v === undefined ? null : v;
    }
    if (q.params.length > 0) s.bind(values);
    return s;
  }

  private async exec(name: string, params: Params): Promise<Row[]> {
    try {
      const s = await this.bound(name, params);
      const reader = await s.runAndReadAll();
      return reader.getRowObjectsJS() as Row[];
    } catch (cause) {
      throw new StoreError(`query ${name} failed: ${(cause as Error).message}`, { cause });
    }
  }

  /** Runs a named query and returns its rows (JS values: HUGEINT/BIGINT as bigint). */
  async all<T extends Row = Row>(name: string, params: Params = {}): Promise<T[]> {
    if (this.inTx) return (await this.exec(name, params)) as T[];
    return this.lock.run(() => this.exec(name, params)) as Promise<T[]>;
  }

  async one<T extends Row = Row>(name: string, params: Params = {}): Promise<T | undefined> {
    return (await this.all<T>(name, params))[0];
  }

  async run(name: string, params: Params = {}): Promise<void> {
    await this.all(name, params);
  }

  /**
   * Runs fn inside one transaction holding the connection; on error everything is rolled back,
   * so a crash or bad input never leaves half a write.
   */
  async tx<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    return this.lock.run(async () => {
      // Statements prepared in an earlier transaction were seen to return stale results in a later
      // one (DuckDB 1.5.6, after the tables they read were emptied and refilled): prepare afresh.
      this.dropPrepared();
      await this.conn.run("BEGIN TRANSACTION");
      this.inTx = true;
      try {
        const r = await fn(this);
        await this.conn.run("COMMIT");
        return r;
      } catch (e) {
        await this.conn.run("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        this.inTx = false;
      }
    });
  }

  /** Appender for bulk writes; use inside tx() so the rows land with the rest or not at all. */
  async appender(table: string): Promise<DuckDBAppender> {
    return this.conn.createAppender(table);
  }

  /** Raw SQL for internal fixed statements (bench, tests); user input never reaches here. */
  async sql(sql: string, params?: Record<string, DuckDBValue>): Promise<Row[]> {
    const go = async () => (await this.conn.runAndReadAll(sql, params)).getRowObjectsJS() as Row[];
    if (this.inTx) return go();
    return this.lock.run(go);
  }

  async checkpoint(): Promise<void> {
    await this.lock.run(async () => {
      await this.conn.run("CHECKPOINT");
    });
  }

  private dropPrepared(): void {
    for (const s of this.prepared.values()) s.destroySync();
    this.prepared.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropPrepared();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The INTEGER vector's own item array (a field node-api keeps private), so whole chunks copy at once;
 * undefined if this node-api version lays vectors out differently (callers then go item by item).
 */
function rawInts(v: DuckDBVector, rows: number): Int32Array | undefined {
  const items = (v as unknown as { items?: unknown }).items;
  return v instanceof DuckDBIntegerVector && items instanceof Int32Array && items.length === rows
    ? items
    : undefined;
}
