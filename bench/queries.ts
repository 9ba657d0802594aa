import { fileURLToPath } from "node:url";
import type { Store } from "../src/store/db.ts";
import { loadQueries, type NamedQuery } from "../src/store/queries.ts";

/** Statements only the benches run (data generators, SQL baselines): never loaded with a user's database. */
export const BENCH_QUERIES_DIR = fileURLToPath(new URL("./queries/", import.meta.url));

export function benchQueries(): Map<string, NamedQuery> {
  return loadQueries(BENCH_QUERIES_DIR);
}

/** Adds the bench statements to an open store. */
export function withBenchQueries<S extends Store>(store: S): S {
  store.addQueries(benchQueries());
  return store;
}
