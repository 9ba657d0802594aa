import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  type DuckDBAppender,
  DuckDBBigIntType,
  DuckDBBigIntVector,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBIntegerType,
  DuckDBIntegerVector,
  type DuckDBPreparedStatement,
  type DuckDBValue,
  DuckDBVarCharType,
  type DuckDBVector,
} from "@duckdb/node-api";
import { StoreError } from "../errors.ts";
import { loadMigrations, loadQueries, loadSchema, type NamedQuery } from "./queries.ts";

export type Params = Record<string, DuckDBValue | undefined>;
export type Row = Record<string, unknown>;
export type IntColumn = Int32Array | BigInt64Array;

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

  /** Adds named statements beyond queries/ (the benches' own); a name already known is refused. */
  addQueries(more: Map<string, NamedQuery>): void {
    for (const [name, q] of more) {
      if (this.queries.has(name)) throw new StoreError(`duplicate query name ${name} (${q.file})`);
      this.queries.set(name, q);
    }
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

  /** Runs a named query whose columns are INTEGER or BIGINT (non-null) into typed arrays. */
  async typedColumns(name: string, params: Params = {}): Promise<IntColumn[]> {
    const go = async () => {
      const s = await this.bound(name, params);
      try {
        const result = await s.run();
        const big = Array.from(
          { length: result.columnCount },
          (_, c) => result.columnType(c).typeId === DuckDBBigIntType.instance.typeId,
        );
        const cols = big.map((b) =>
          b ? new BigInt64Array(result.rowCount) : new Int32Array(result.rowCount),
        ) as IntColumn[];
        let len = 0;
        // getChunk reads a materialized result synchronously: about twice as fast as fetchChunk
        for (let i = 0; i < result.chunkCount; i++) {
          const chunk = result.getChunk(i);
          const rows = chunk.rowCount;
          if (rows === 0) continue;
          for (let c = 0; c < cols.length; c++) {
            const v = chunk.getColumnVector(c);
            const out = cols[c]!;
            const raw = rawItems(v, rows);
            if (raw && raw.constructor === out.constructor) (out as Int32Array).set(raw as Int32Array, len);
            else for (let r = 0; r < rows; r++) out[len + r] = v.getItem(r) as never;
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

  /**
   * Streams a named query whose columns are INTEGER or BIGINT (non-null) to `fn`, one chunk of typed arrays
   * at a time. The next chunk is requested before `fn` runs, so DuckDB works while JS does. The arrays
   * are only valid during the call.
   */
  async streamInts(
    name: string,
    params: Params,
    fn: (cols: IntColumn[], rows: number) => void,
  ): Promise<number> {
    const go = async () => {
      const s = await this.bound(name, params);
      try {
        const result = await s.stream();
        let total = 0;
        let next = result.fetchChunk();
        for (;;) {
          const chunk = await next;
          const rows = chunk?.rowCount ?? 0;
          if (!chunk || rows === 0) break;
          const cols: IntColumn[] = [];
          for (let c = 0; c < chunk.columnCount; c++) {
            const v = chunk.getColumnVector(c);
            const raw = rawItems(v, rows);
            if (raw) cols.push(raw);
            else {
              const big = v instanceof DuckDBBigIntVector;
              const out = big ? new BigInt64Array(rows) : new Int32Array(rows);
              for (let r = 0; r < rows; r++) out[r] = v.getItem(r) as never;
              cols.push(out);
            }
          }
          next = result.fetchChunk();
          try {
            fn(cols, rows);
          } catch (e) {
            await next.catch(() => undefined);
            throw e;
          }
          total += rows;
        }
        return total;
      } catch (cause) {
        throw new StoreError(`query ${name} failed: ${(cause as Error).message}`, { cause });
      }
    };
    return this.inTx ? go() : this.lock.run(go);
  }

  /**
   * Appends rows to a table from typed arrays, without a JS value per cell. Its columns are, in order,
   * INTEGER (an Int32Array), BIGINT (a BigInt64Array) or VARCHAR with one value for every row (a string).
   */
  async appendInts(table: string, cols: (IntColumn | string)[], count: number): Promise<void> {
    const app = await this.conn.createAppender(table);
    const size = 2048;
    const chunk = DuckDBDataChunk.create(
      cols.map((c) =>
        typeof c === "string"
          ? DuckDBVarCharType.instance
          : c instanceof BigInt64Array
            ? DuckDBBigIntType.instance
            : DuckDBIntegerType.instance,
      ),
    );
    // a constant column is written once: the chunk keeps it between appends
    chunk.rowCount = Math.min(size, count);
    cols.forEach((c, i) => {
      if (typeof c !== "string") return;
      const v = chunk.getColumnVector(i);
      for (let r = 0; r < chunk.rowCount; r++) v.setItem(r, c as never);
      v.flush();
    });
    for (let off = 0; off < count; off += size) {
      const rows = Math.min(size, count - off);
      chunk.rowCount = rows;
      for (let c = 0; c < cols.length; c++) {
        const src = cols[c]!;
        if (typeof src === "string") continue;
        const v = chunk.getColumnVector(c);
        const raw = rawItems(v, rows);
        if (raw && raw.constructor === src.constructor)
          (raw as Int32Array).set((src as Int32Array).subarray(off, off + rows));
        else for (let r = 0; r < rows; r++) v.setItem(r, src[off + r]! as never);
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
/** The vector's own typed array (node-api keeps it private), or undefined when that changes. */
function rawItems(v: DuckDBVector, rows: number): Int32Array | BigInt64Array | undefined {
  const items = (v as unknown as { items?: unknown }).items;
  const ok =
    (v instanceof DuckDBIntegerVector && items instanceof Int32Array) ||
    (v instanceof DuckDBBigIntVector && items instanceof BigInt64Array);
  return ok && (items as Int32Array).length === rows ? (items as Int32Array | BigInt64Array) : undefined;
}
