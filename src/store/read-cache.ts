import type { Store } from "./db.ts";

interface Entry<V> {
  value: V;
  /** Store.readStamp when the value was computed (or last found still valid). */
  stamp: number;
}

/**
 * Answers computed from stored data, kept until a commit changes a table they read in a way that may
 * concern their key: a write declared with Store.changesOnly (a label import names the addresses whose
 * labels differ) leaves the other keys' answers valid; any other write of those tables drops them all.
 * Never stale: an answer computed while a commit of its tables is under way is not kept. Least
 * recently used answers go first past `max`.
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly tables: readonly string[];
  /** Computations under way, by key, with the Store.readStamp they started at. */
  private readonly inflight = new Map<string, { stamp: number; value: Promise<V | undefined> }>();
  hits = 0;
  misses = 0;
  /** Answers taken from another caller's computation under way. */
  shared = 0;

  /** `queries`: the named statements an answer reads (their tables are what it depends on). */
  constructor(
    private readonly store: Store,
    queries: readonly string[],
    private readonly max = 50_000,
  ) {
    this.tables = store.tablesRead(queries);
  }

  /** The kept answer of `key` if still valid; `scope`: the address a key-limited change would name. */
  get(key: string, scope: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.store.readStamp(this.tables);
    if (!this.store.unchangedFor(e.stamp, this.tables, scope)) {
      this.entries.delete(key);
      return undefined;
    }
    // most recently used last; a valid answer is as good as one computed now
    this.entries.delete(key);
    if (now !== undefined) e.stamp = now;
    this.entries.set(key, e);
    this.hits++;
    return e.value;
  }

  /**
   * Computes answers for the keys it has none of, in one call, and keeps them. A key whose answer is
   * being computed already (for another caller) waits for that computation when it started after the
   * last change concerning the key: a hot address missed by 50 requests at once is read once.
   */
  async getMany(
    keys: readonly { key: string; scope: string }[],
    compute: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const missing: string[] = [];
    const waiting: [string, Promise<V | undefined>][] = [];
    for (const { key, scope } of keys) {
      const v = this.get(key, scope);
      if (v !== undefined) {
        out.set(key, v);
        continue;
      }
      const f = this.inflight.get(key);
      if (f && this.store.unchangedFor(f.stamp, this.tables, scope)) waiting.push([key, f.value]);
      else missing.push(key);
    }
    if (missing.length > 0) await this.computeMissing(missing, compute, out);
    for (const [key, p] of waiting) {
      const v = await p;
      this.shared++;
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }

  private async computeMissing(
    missing: string[],
    compute: (missing: string[]) => Promise<Map<string, V>>,
    out: Map<string, V>,
  ): Promise<void> {
    this.misses += missing.length;
    const stamp = this.store.readStamp(this.tables);
    const fresh = compute(missing);
    // one started while a commit of its tables is under way is shared with no one (nor kept)
    const mine = new Map<string, Promise<V | undefined>>();
    if (stamp !== undefined) {
      for (const k of missing) {
        const value = fresh.then((m) => m.get(k));
        value.catch(() => {}); // the caller that started it gets the error; a waiter gets it from await
        mine.set(k, value);
        this.inflight.set(k, { stamp, value });
      }
    }
    try {
      for (const [k, v] of await fresh) {
        out.set(k, v);
        if (stamp !== undefined) this.keep(k, { value: v, stamp });
      }
    } finally {
      for (const [k, value] of mine) if (this.inflight.get(k)?.value === value) this.inflight.delete(k);
    }
  }

  /** The answer of one key, computed when none is kept. */
  async getOne(key: string, scope: string, compute: () => Promise<V>): Promise<V> {
    const r = await this.getMany([{ key, scope }], async () => new Map([[key, await compute()]]));
    return r.get(key)!;
  }

  private keep(key: string, e: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
