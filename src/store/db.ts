import { AsyncLocalStorage } from "node:async_hooks";
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
import { ConflictError, StoreError } from "../errors.ts";
import { heldMessage, lockHolderPid, readServerNote } from "./holder.ts";
import { loadMigrations, loadQueries, loadSchema, type NamedQuery } from "./queries.ts";

export type Params = Record<string, DuckDBValue | undefined>;
export type Row = Record<string, unknown>;
export type IntColumn = Int32Array | BigInt64Array;

/** Runs async work one at a time, in call order. */
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

/**
 * Change counters per table. DuckDB 1.5.6 plans a prepared statement with the table statistics of
 * the moment (duckdb#23704, #24182: an `IN (SELECT ...)` over a table then empty stays empty), so a
 * cached statement is used only while no table it reads has changed since it was prepared. A plan
 * made inside the transaction that runs it is always right (its statistics cover what it can see).
 */
/** Key-limited changes remembered; a cached answer older than the oldest is computed again. */
const SCOPED_LOG = 256;

class Versions {
  private all = 0;
  private readonly tables = new Map<string, number>();
  /** The last change of each table not limited to named keys (see Store.changesOnly). */
  private readonly unscoped = new Map<string, number>();
  /** Recent changes limited to named keys (addresses), oldest first; `floor`: the last one dropped. */
  private readonly scoped: { v: number; table: string; keys: ReadonlySet<string> }[] = [];
  private floor = 0;
  /** The tables of a commit under way (its rows may already be visible). */
  private committing: ReadonlySet<string> | "all" | undefined;

  /** Counters that share a clock compare with each other. */
  constructor(private readonly clock: { tick: number }) {}

  now(): number {
    return this.clock.tick;
  }

  /** The last change of any of these tables. */
  of(tables: readonly string[]): number {
    let v = this.all;
    for (const t of tables) v = Math.max(v, this.tables.get(t) ?? 0);
    return v;
  }

  /** A change of these tables; `only` limits a table's change to rows of some keys. */
  bump(tables: Iterable<string> | "all", only?: ReadonlyMap<string, ReadonlySet<string>>): void {
    const v = ++this.clock.tick;
    if (tables === "all") {
      this.all = v;
      return;
    }
    for (const t of tables) {
      this.tables.set(t, v);
      const keys = only?.get(t);
      if (keys) this.scoped.push({ v, table: t, keys });
      else this.unscoped.set(t, v);
    }
    while (this.scoped.length > SCOPED_LOG) this.floor = this.scoped.shift()!.v;
  }

  /** Whether no change of these tables since `since` can concern `key`. */
  unchangedFor(since: number, tables: readonly string[], key: string): boolean {
    if (this.all > since || this.floor > since) return false;
    for (const t of tables) if ((this.unscoped.get(t) ?? 0) > since) return false;
    for (let i = this.scoped.length - 1; i >= 0 && this.scoped[i]!.v > since; i--) {
      const c = this.scoped[i]!;
      if (c.keys.has(key) && tables.includes(c.table)) return false;
    }
    return true;
  }

  /** Runs a commit (or an autocommit write) of these tables; once it ends they count as changed. */
  async commit<T>(
    tables: ReadonlySet<string> | "all",
    commit: () => Promise<T>,
    only?: ReadonlyMap<string, ReadonlySet<string>>,
  ): Promise<T> {
    this.committing = tables;
    try {
      return await commit();
    } finally {
      this.bump(tables, only);
      this.committing = undefined;
    }
  }

  /** Whether a commit under way changes one of these tables. */
  pending(tables: readonly string[]): boolean {
    const c = this.committing;
    return c !== undefined && (c === "all" || tables.some((t) => c.has(t)));
  }
}

/** One DuckDB connection with its own prepared statements (never shared between connections). */
class Conn {
  private readonly stmts = new Map<string, { s: DuckDBPreparedStatement; stamp: number }>();
  /** Statements of one transaction run one at a time on its connection. */
  readonly lock = new Mutex();

  constructor(
    readonly raw: DuckDBConnection,
    private readonly versions: Versions[],
  ) {}

  /** The named statement, prepared again when a table it reads changed since (see Versions). */
  async stmt(q: NamedQuery): Promise<DuckDBPreparedStatement> {
    const changed = Math.max(...this.versions.map((v) => v.of(q.reads)));
    const cached = this.stmts.get(q.name);
    if (cached && cached.stamp >= changed) return cached.s;
    cached?.s.destroySync();
    this.stmts.delete(q.name);
    const stamp = Math.max(...this.versions.map((v) => v.now()));
    const s = await this.prepareOnce(q);
    this.stmts.set(q.name, { s, stamp });
    return s;
  }

  /** A statement for one use, not cached. */
  async prepareOnce(q: NamedQuery): Promise<DuckDBPreparedStatement> {
    try {
      return await this.raw.prepare(q.sql);
    } catch (cause) {
      throw new StoreError(`query ${q.name} (${q.file}) does not prepare: ${(cause as Error).message}`, {
        cause,
      });
    }
  }

  /** Runs fn in an explicit read transaction of this connection. */
  async inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.raw.run("BEGIN TRANSACTION");
    try {
      const r = await fn();
      await this.raw.run("COMMIT");
      return r;
    } catch (e) {
      await this.raw.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  close(): void {
    for (const { s } of this.stmts.values()) s.destroySync();
    this.stmts.clear();
    this.raw.closeSync();
  }
}

/** A transaction in progress: the async work of its callback finds it through AsyncLocalStorage. */
interface TxContext {
  /** The connection its statements run on: the writer's, or the side one (Store.beside). */
  conn: Conn;
  done: boolean;
  /** Tables written so far ("all" after raw SQL). */
  tables: Set<string> | "all";
  /** Tables with an appender opened in this transaction: written until it ends. */
  appending: Set<string>;
  /** Tables whose changes concern only rows of these keys (see Store.changesOnly). */
  only?: Map<string, Set<string>>;
  /** Tables whose changes may concern any key (Store.changesAnyKey): never limited. */
  anyKey?: Set<string>;
}

/**
 * Work done on behalf of one request or command (see Store.scoped): the first transaction that
 * commits inside it also runs `first` (the audit row), so the write and its record commit together.
 */
export interface CommitScope {
  /** Runs inside that transaction, before COMMIT; if it fails the transaction rolls back. */
  first: () => Promise<void>;
  /** Set once a transaction with `first` in it committed. */
  committed: boolean;
  /** Facts a write reports about itself (rows added and removed...), for the audit row. */
  notes: Record<string, unknown>;
}

export interface OpenOptions {
  /** Do not run migrations (used by tests that build an old file). */
  noMigrate?: boolean;
  /**
   * Open the file read-only (it must exist; no migration): several read-only processes may share a
   * file, which a writer holds alone.
   */
  readOnly?: boolean;
  /** Connections for reads outside transactions (default 8). */
  readers?: number;
}

const DEFAULT_READERS = 8;

/**
 * DuckDB checkpoints each time the WAL passes 16 MB, and those checkpoints cost more as the tables
 * and their primary-key indexes grow: 1M account transfers took 63 s to write, 38 s with this.
 * Crash safety is the WAL's either way; the file is checkpointed on close.
 */
const WRITABLE = { checkpoint_threshold: "256MB" };

/**
 * The DuckDB store: named queries from queries/, migrations, transactions and appenders.
 *
 * One discipline for every statement. Writes (tx(), and named write statements outside one) run one
 * at a time on the writer connection; a transaction's callback, and everything it awaits, is found
 * through AsyncLocalStorage, so its statements run on its connection and nothing else does. Reads
 * outside a transaction run on a pool of reader connections of the same database, each with its own
 * prepared statements: they see committed data only and never wait for a write.
 */
export class Store {
  private readonly queries: Map<string, NamedQuery>;
  private readonly als = new AsyncLocalStorage<TxContext>();
  private readonly scopes = new AsyncLocalStorage<CommitScope>();
  private readonly writeLock = new Mutex();
  private readonly clock = { tick: 0 };
  /** Changes made on the writer connection, committed or not (what its own statements depend on). */
  private readonly local = new Versions(this.clock);
  /** Committed changes (what reader connections depend on). */
  private readonly committed = new Versions(this.clock);
  private readonly writer: Conn;
  /** The side connection of beside(), opened on first use; its transactions run one at a time. */
  private side: Conn | undefined;
  private readonly sideLock = new Mutex();
  private readonly idle: Conn[] = [];
  private readonly readers: Conn[] = [];
  private readonly waiting: ((c: Conn) => void)[] = [];
  private opening = 0;
  private readonly maxReaders: number;
  private closed = false;
  /** Set by drain(): no new statement starts. */
  private draining = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    writer: DuckDBConnection,
    opts: OpenOptions,
  ) {
    this.queries = loadQueries();
    this.writer = new Conn(writer, [this.local, this.committed]);
    this.maxReaders = Math.max(1, opts.readers ?? DEFAULT_READERS);
  }

  static async open(path: string, opts: OpenOptions = {}): Promise<Store> {
    if (path !== ":memory:" && !opts.readOnly) mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: "READ_ONLY" } : WRITABLE);
    } catch (cause) {
      const message = (cause as Error).message;
      const pid = lockHolderPid(message);
      if (pid !== undefined) throw new ConflictError(heldMessage(path, pid), { cause });
      throw new StoreError(`cannot open database ${path}: ${message}`, { cause });
    }
    const store = new Store(path, instance, await instance.connect(), opts);
    if (!opts.readOnly && path !== ":memory:") readServerNote(path); // drops a note a dead server left
    if (!opts.noMigrate && !opts.readOnly) await store.migrate();
    return store;
  }

  /** Current schema version of the file (0 for an empty file). */
  async schemaVersion(): Promise<number> {
    if (this.context()) return this.writer.lock.run(() => this.readSchemaVersion());
    return this.onWriter(() => this.readSchemaVersion());
  }

  private async readSchemaVersion(): Promise<number> {
    const conn = this.writer.raw;
    const t = await conn.runAndReadAll(
      "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'schema_version' AND database_name = current_database()",
    );
    if ((t.getRowObjectsJS()[0]?.n as number) === 0) return 0;
    const r = await conn.runAndReadAll("SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_version");
    return r.getRowObjectsJS()[0]?.v as number;
  }

  static latestVersion(): number {
    const m = loadMigrations();
    return m[m.length - 1]?.version ?? 0;
  }

  /** Fresh file: schema.sql. Older file: each migration after its version, in one transaction each. */
  async migrate(): Promise<{ from: number; to: number }> {
    return this.onWriter(async () => {
      const conn = this.writer.raw;
      const from = await this.readSchemaVersion();
      const migrations = loadMigrations();
      const latest = migrations[migrations.length - 1]?.version ?? 0;
      if (from > latest) {
        throw new StoreError(
          `database ${this.path} has schema version ${from}, newer than this fundtrace (${latest})`,
        );
      }
      if (from === latest) return { from, to: latest };
      try {
        await conn.run("BEGIN TRANSACTION");
        if (from === 0) {
          await conn.run(loadSchema());
          await conn.run("INSERT INTO schema_version (version) VALUES ($v)", { v: latest });
        } else {
          for (const m of migrations.filter((x) => x.version > from)) {
            await conn.run(m.sql);
            await conn.run("INSERT INTO schema_version (version) VALUES ($v)", { v: m.version });
          }
        }
        await conn.run("COMMIT");
        this.changedAll();
      } catch (cause) {
        await conn.run("ROLLBACK").catch(() => undefined);
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
    await this.onWriter(async () => {
      await this.writer.raw.run(m.sql);
      await this.writer.raw.run("INSERT INTO schema_version (version) VALUES ($v)", { v: version });
      this.changedAll();
    });
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

  private query(name: string): NamedQuery {
    if (this.closed) throw new StoreError("store is closed");
    const q = this.queries.get(name);
    if (!q) throw new StoreError(`no query named ${name}`);
    return q;
  }

  /** Prepares a named statement without running it (the test that checks every file uses this). */
  async prepareNamed(name: string): Promise<void> {
    const q = this.query(name);
    const conn = await this.reader();
    try {
      await conn.stmt(q);
    } finally {
      this.release(conn);
    }
  }

  /**
   * Runs a named statement where it belongs: inside the caller's transaction on its connection; a
   * write outside one as a transaction of its own on the writer; a read on a reader connection.
   */
  private async exec<T>(
    name: string,
    params: Params,
    run: (s: DuckDBPreparedStatement) => Promise<T>,
  ): Promise<T> {
    const q = this.query(name);
    const go = async (conn: Conn, fresh = false) => {
      const s = fresh ? await conn.prepareOnce(q) : await conn.stmt(q);
      try {
        s.clearBindings();
        if (q.params.length > 0) {
          const values: Record<string, DuckDBValue> = {};
          for (const p of q.params) values[p] = params[p] ?? null;
          s.bind(values);
        }
        return await run(s);
      } catch (cause) {
        if (cause instanceof StoreError) throw cause;
        throw new StoreError(`query ${name} failed: ${(cause as Error).message}`, { cause });
      } finally {
        if (fresh) s.destroySync();
      }
    };
    const ctx = this.context();
    if (ctx) {
      return ctx.conn.lock.run(async () => {
        if (ctx.appending.size > 0) this.touch(ctx, ctx.appending);
        try {
          return await go(ctx.conn);
        } finally {
          if (q.write) this.touch(ctx, q.writes);
        }
      });
    }
    if (q.write && this.scopes.getStore()?.committed === false) {
      // its scope's first commit: with the scope's record, in one transaction
      return this.tx(() => this.exec(name, params, run));
    }
    if (q.write) {
      const tables = new Set(q.writes);
      return this.onWriter(() =>
        this.committed.commit(tables, async () => {
          try {
            return await go(this.writer);
          } finally {
            this.local.bump(tables);
          }
        }),
      );
    }
    const conn = await this.reader();
    try {
      for (;;) {
        // While a commit of a table it reads is under way, its rows may become visible at any moment:
        // plan inside the read's own transaction, so the plan's statistics cover all it can see.
        if (this.committed.pending(q.reads)) return await conn.inTransaction(() => go(conn, true));
        const before = this.committed.of(q.reads);
        const r = await go(conn);
        // a commit that landed meanwhile may or may not be in what the cached plan read: again
        if (!this.committed.pending(q.reads) && this.committed.of(q.reads) === before) return r;
      }
    } finally {
      this.release(conn);
    }
  }

  /** Runs a named query and returns its columns as arrays (fast path for millions of rows). */
  async columns(name: string, params: Params = {}): Promise<Record<string, unknown[]>> {
    return this.exec(
      name,
      params,
      async (s) => (await s.runAndReadAll()).getColumnsObjectJS() as Record<string, unknown[]>,
    );
  }

  /** Runs a named query whose columns are INTEGER or BIGINT (non-null) into typed arrays. */
  async typedColumns(name: string, params: Params = {}): Promise<IntColumn[]> {
    return this.exec(name, params, async (s) => {
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
    });
  }

  /**
   * Streams a named query whose columns are INTEGER or BIGINT (non-null) to `fn`, one chunk of typed arrays
   * at a time. The next chunk is requested before `fn` runs, so DuckDB works while JS does. The arrays
   * are only valid during the call. Outside a transaction the rows may be streamed again from the
   * start (see exec): `restart` is called before they are, so a caller that accumulates can start over.
   */
  async streamInts(
    name: string,
    params: Params,
    fn: (cols: IntColumn[], rows: number) => void,
    restart?: () => void,
  ): Promise<number> {
    let runs = 0;
    return this.exec(name, params, async (s) => {
      if (runs++ > 0) restart?.();
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
    });
  }

  /**
   * Appends rows to a table from typed arrays, without a JS value per cell. Its columns are, in order,
   * INTEGER (an Int32Array), BIGINT (a BigInt64Array) or VARCHAR with one value for every row (a string).
   * Inside tx() the rows land with the rest of the transaction; outside, in one of their own.
   */
  async appendInts(table: string, cols: (IntColumn | string)[], count: number): Promise<void> {
    const ctx = this.context();
    if (!ctx) return this.tx(() => this.appendInts(table, cols, count));
    await ctx.conn.lock.run(async () => {
      try {
        await appendTyped(await ctx.conn.raw.createAppender(table), cols, count);
      } finally {
        this.touch(ctx, [table]);
      }
    });
  }

  /** Appender for bulk writes, inside tx() only: the rows land with the rest of the transaction or not at all. */
  async appender(table: string): Promise<DuckDBAppender> {
    const ctx = this.context();
    if (!ctx) throw new StoreError(`an appender to ${table} needs a transaction (store.tx)`);
    ctx.appending.add(table);
    return ctx.conn.lock.run(async () => {
      this.touch(ctx, [table]);
      return ctx.conn.raw.createAppender(table);
    });
  }

  /** Runs a named query and returns its rows (JS values: HUGEINT/BIGINT as bigint). */
  async all<T extends Row = Row>(name: string, params: Params = {}): Promise<T[]> {
    return this.exec(name, params, async (s) => (await s.runAndReadAll()).getRowObjectsJS() as T[]);
  }

  async one<T extends Row = Row>(name: string, params: Params = {}): Promise<T | undefined> {
    return (await this.all<T>(name, params))[0];
  }

  async run(name: string, params: Params = {}): Promise<void> {
    await this.all(name, params);
  }

  /**
   * Runs fn inside one transaction on the writer connection: every statement of fn (and of what it
   * awaits) runs in it, and no other; on error everything is rolled back, so a crash or bad input
   * never leaves half a write. A tx() inside fn joins the same transaction.
   */
  async tx<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.context()) return fn(this);
    return this.onWriter(() => this.transaction(this.writer, fn));
  }

  /**
   * Runs fn in a transaction of its own on a side connection, beside the writer's (which may be in a
   * long transaction, a label import): for a write that no other depends on and that depends on none,
   * the audit row of a request that wrote nothing. DuckDB commits both; appends never conflict.
   */
  async beside<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.context()) throw new StoreError("beside() inside a transaction");
    if (this.closed || this.draining) throw new StoreError("store is closed");
    return this.sideLock.run(async () => {
      this.side ??= new Conn(await this.instance.connect(), [this.local, this.committed]);
      return this.transaction(this.side, fn);
    });
  }

  private async transaction<T>(on: Conn, fn: (tx: Store) => Promise<T>): Promise<T> {
    const ctx: TxContext = { conn: on, done: false, tables: new Set(), appending: new Set() };
    const conn = on.raw;
    await conn.run("BEGIN TRANSACTION");
    let r: T;
    const scope = this.scopes.getStore();
    const first = scope && !scope.committed ? scope : undefined;
    try {
      r = await this.als.run(ctx, () => fn(this));
      if (first) await this.als.run(ctx, () => first.first());
    } catch (e) {
      ctx.done = true;
      await on.lock.run(() => conn.run("ROLLBACK")).catch(() => undefined);
      throw e;
    }
    // a statement fn started without awaiting it finishes first; none can start any more
    ctx.done = true;
    await on.lock.run(() =>
      this.committed.commit(
        ctx.tables,
        async () => {
          try {
            await conn.run("COMMIT");
          } catch (cause) {
            await conn.run("ROLLBACK").catch(() => undefined);
            throw new StoreError(`commit failed: ${(cause as Error).message}`, { cause });
          }
        },
        ctx.only,
      ),
    );
    if (first) first.committed = true;
    return r;
  }

  /**
   * Declares, inside a transaction, that what it changes in `table` concerns only these keys (the
   * addresses whose rows differ): cached reads of other keys stay valid after it commits (ReadCache).
   */
  changesOnly(table: string, keys: Iterable<string>): void {
    const ctx = this.context();
    if (!ctx) throw new StoreError("changesOnly() outside a transaction");
    ctx.only ??= new Map();
    if (ctx.anyKey?.has(table)) return;
    // several writes of one transaction each name their keys
    const known = ctx.only.get(table);
    if (known) for (const k of keys) known.add(k);
    else ctx.only.set(table, new Set(keys));
  }

  /**
   * Declares, inside a transaction, that a change of `table` may concern any key: it commits as an
   * unlimited change whatever other writes of the transaction named with changesOnly.
   */
  changesAnyKey(table: string): void {
    const ctx = this.context();
    if (!ctx) throw new StoreError("changesAnyKey() outside a transaction");
    ctx.anyKey ??= new Set();
    ctx.anyKey.add(table);
    ctx.only?.delete(table);
  }

  /** The committed-change clock, or undefined while a commit of one of these tables is under way. */
  readStamp(tables: readonly string[]): number | undefined {
    return this.committed.pending(tables) ? undefined : this.committed.now();
  }

  /** Whether no commit since `stamp` changed rows of these tables that concern `key`. */
  unchangedFor(stamp: number, tables: readonly string[], key: string): boolean {
    return this.committed.unchangedFor(stamp, tables, key);
  }

  /** Tables the named queries read (views resolved). */
  tablesRead(names: readonly string[]): string[] {
    return [...new Set(names.flatMap((n) => this.query(n).reads))];
  }

  /** Raw SQL for internal fixed statements (bench, tests); user input never reaches here. */
  async sql(sql: string, params?: Record<string, DuckDBValue>): Promise<Row[]> {
    const go = async () => (await this.writer.raw.runAndReadAll(sql, params)).getRowObjectsJS() as Row[];
    const ctx = this.context();
    if (ctx) {
      return ctx.conn.lock.run(async () => {
        try {
          return await (await ctx.conn.raw.runAndReadAll(sql, params)).getRowObjectsJS();
        } finally {
          this.touch(ctx, "all");
        }
      });
    }
    // it may write anything: as a write of its own, after which every cached plan is prepared again
    return this.onWriter(() =>
      this.committed.commit("all", async () => {
        try {
          return await go();
        } finally {
          this.local.bump("all");
        }
      }),
    );
  }

  /**
   * Runs fn as work of one scope (an API request, a CLI command): the first transaction that commits
   * inside it, and an autocommit write becomes one, runs `scope.first` before its COMMIT.
   */
  scoped<T>(scope: CommitScope, fn: () => Promise<T>): Promise<T> {
    return this.scopes.run(scope, fn);
  }

  /**
   * Records facts of the current write for its scope's record (no-op outside a scope). Objects under
   * the same key merge (several label imports in one command each add their dataset).
   */
  note(facts: Record<string, Record<string, unknown>>): void {
    const s = this.scopes.getStore();
    if (!s) return;
    for (const [k, v] of Object.entries(facts)) s.notes[k] = { ...(s.notes[k] as object | undefined), ...v };
  }

  /**
   * Runs fn outside the caller's transaction, if any: its statements are not part of it (they wait
   * for it to end when they write). For bookkeeping such as a job's progress.
   */
  detached<T>(fn: () => T): T {
    return this.als.exit(fn);
  }

  async checkpoint(): Promise<void> {
    if (this.context()) throw new StoreError("checkpoint inside a transaction");
    await this.onWriter(async () => {
      await this.writer.raw.run("CHECKPOINT");
    });
  }

  /**
   * Before close() on shutdown: refuses new statements, lets the running ones and open transactions
   * finish for up to `graceMs`, then interrupts what still runs. Closing DuckDB under a running query
   * (a request whose client went away) could hang the process for good.
   */
  async drain(graceMs = 10_000): Promise<void> {
    if (this.closed || this.draining) return;
    this.draining = true;
    const writes = Promise.all([
      this.writeLock.run(async () => undefined),
      this.sideLock.run(async () => undefined),
    ]);
    const busy = () => this.readers.length - this.idle.length + this.opening > 0;
    const until = Date.now() + graceMs;
    let writesDone = false;
    void writes.then(() => {
      writesDone = true;
    });
    while ((busy() || !writesDone) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (busy() || !writesDone) for (const c of this.conns()) c.raw.interrupt();
    await Promise.race([writes, new Promise((r) => setTimeout(r, 1000))]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.conns()) c.close();
    this.instance.closeSync();
  }

  private conns(): Conn[] {
    return [this.writer, ...(this.side ? [this.side] : []), ...this.readers];
  }

  /** After a schema change: every cached plan is prepared again. */
  private changedAll(): void {
    this.local.bump("all");
    this.committed.bump("all");
  }

  /** The transaction this async work runs in, if any. */
  private context(): TxContext | undefined {
    const ctx = this.als.getStore();
    if (ctx?.done) throw new StoreError("a statement ran after its transaction ended (a missing await?)");
    return ctx;
  }

  /** Records a write of the transaction: its own later statements on these tables are prepared again. */
  private touch(ctx: TxContext, tables: Iterable<string> | "all"): void {
    if (tables === "all") ctx.tables = "all";
    else if (ctx.tables !== "all") for (const t of tables) ctx.tables.add(t);
    this.local.bump(tables);
  }

  /** Exclusive use of the writer connection, outside any transaction. */
  private onWriter<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed || this.draining) return Promise.reject(new StoreError("store is closed"));
    return this.writeLock.run(fn);
  }

  private async reader(): Promise<Conn> {
    if (this.closed || this.draining) throw new StoreError("store is closed");
    const c = this.idle.pop();
    if (c) return c;
    if (this.readers.length + this.opening < this.maxReaders) {
      this.opening++;
      try {
        const conn = new Conn(await this.instance.connect(), [this.committed]);
        this.readers.push(conn);
        return conn;
      } finally {
        this.opening--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: Conn): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }
}

/** Writes typed columns through an appender in chunks of 2048 rows, then closes it. */
async function appendTyped(app: DuckDBAppender, cols: (IntColumn | string)[], count: number): Promise<void> {
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

/**
 * The INTEGER vector's own item array (a field node-api keeps private), so whole chunks copy at once;
 * undefined if this node-api version lays vectors out differently (callers then go item by item).
 */
function rawItems(v: DuckDBVector, rows: number): Int32Array | BigInt64Array | undefined {
  const items = (v as unknown as { items?: unknown }).items;
  const ok =
    (v instanceof DuckDBIntegerVector && items instanceof Int32Array) ||
    (v instanceof DuckDBBigIntVector && items instanceof BigInt64Array);
  return ok && (items as Int32Array).length === rows ? (items as Int32Array | BigInt64Array) : undefined;
}
