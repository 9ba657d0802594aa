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
  hits = 0;
  misses = 0;

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

  /** Computes answers for the keys it has none of, in one call, and keeps them. */
  async getMany(
    keys: readonly { key: string; scope: string }[],
    compute: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const missing: string[] = [];
    for (const { key, scope } of keys) {
      const v = this.get(key, scope);
      if (v === undefined) missing.push(key);
      else out.set(key, v);
    }
    if (missing.length === 0) return out;
    this.misses += missing.length;
    const stamp = this.store.readStamp(this.tables);
    const fresh = await compute(missing);
    for (const [k, v] of fresh) {
      out.set(k, v);
      if (stamp !== undefined) this.keep(k, { value: v, stamp });
    }
    return out;
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
