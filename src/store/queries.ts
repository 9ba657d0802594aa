import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const QUERIES_DIR = fileURLToPath(new URL("../../queries/", import.meta.url));

export interface NamedQuery {
  name: string;
  file: string;
  params: string[];
  sql: string;
  /** INSERT, UPDATE or DELETE. */
  write: boolean;
  /** Tables it reads, views resolved to their tables (a superset: CTE names may appear). */
  reads: string[];
  /** The table it writes. */
  writes: string[];
}

const TABLE_REF = /\b(?:FROM|JOIN|UPDATE)\s+([a-z_][a-z0-9_]*)\b(?!\s*\()/gi;
const WRITE_TARGET = /^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)/i;

function stripComments(sql: string): string {
  return sql.replace(/--.*$/gm, "");
}

/** Table names referenced after FROM, JOIN or UPDATE (not function calls such as unnest()). */
function tableRefs(sql: string): string[] {
  return [...stripComments(sql).matchAll(TABLE_REF)]
    .map((m) => m[1]!.toLowerCase())
    .filter((t) => !NOT_TABLES.has(t));
}

/** Words that follow those keywords without naming a table (`DO UPDATE SET`). */
const NOT_TABLES = new Set(["set", "select", "values"]);

/** Each view of schema.sql with the tables it reads. */
function schemaViews(dir: string): Map<string, string[]> {
  const views = new Map<string, string[]>();
  const statements = stripComments(loadSchema(dir)).split(";");
  for (const st of statements) {
    const m = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+([a-z_][a-z0-9_]*)\s+AS\b/i.exec(st);
    if (m) views.set(m[1]!.toLowerCase(), tableRefs(st.slice(m[0].length)));
  }
  return views;
}

/**
 * What a statement reads and writes, by table. The store re-prepares a cached statement once a table
 * it reads has changed: DuckDB 1.5.6 plans prepared statements with the table statistics of the time
 * (duckdb#23704, #24182), and such a plan can miss rows written since.
 */
export function footprint(
  sql: string,
  views: Map<string, string[]>,
): Pick<NamedQuery, "write" | "reads" | "writes"> {
  const body = stripComments(sql);
  const target = WRITE_TARGET.exec(body)?.[1]?.toLowerCase();
  const reads = new Set<string>();
  const add = (t: string, depth: number) => {
    const v = views.get(t);
    if (!v || depth > 8) reads.add(t);
    else for (const x of v) add(x, depth + 1);
  };
  for (const t of tableRefs(body)) add(t, 0);
  // an UPDATE or DELETE scans its table; an INSERT's plan does not depend on the target's contents
  if (target && !/^\s*INSERT/i.test(body)) reads.add(target);
  return { write: target !== undefined, reads: [...reads].sort(), writes: target ? [target] : [] };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith(".sql")) out.push(p);
  }
  return out.sort();
}

/** Every named statement under queries/ (not schema.sql or migrations). Header: `-- name: x` and `-- params: $a, $b`. */
export function loadQueries(dir = QUERIES_DIR): Map<string, NamedQuery> {
  const map = new Map<string, NamedQuery>();
  const views = schemaViews(QUERIES_DIR);
  for (const file of walk(dir)) {
    const rel = relative(dir, file);
    if (rel === "schema.sql" || rel.startsWith("migrations")) continue;
    const sql = readFileSync(file, "utf8");
    const name = /^--\s*name:\s*(\S+)/m.exec(sql)?.[1];
    if (!name) throw new Error(`${rel}: missing "-- name:" header`);
    if (map.has(name)) throw new Error(`${rel}: duplicate query name ${name}`);
    const paramLine = /^--\s*params:\s*(.*)$/m.exec(sql)?.[1] ?? "";
    const params = paramLine
      .split(",")
      .map((s) => s.trim().split(/\s+/)[0] ?? "")
      .filter((s) => s.startsWith("$"))
      .map((s) => s.slice(1));
    const body = sql.trim().replace(/;\s*$/, "");
    map.set(name, { name, file: rel, params, sql: body, ...footprint(body, views) });
  }
  return map;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = QUERIES_DIR): Migration[] {
  const mdir = join(dir, "migrations");
  return readdirSync(mdir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number.parseInt(f, 10),
      name: f.replace(/\.sql$/, ""),
      sql: readFileSync(join(mdir, f), "utf8"),
    }));
}

export function loadSchema(dir = QUERIES_DIR): string {
  return readFileSync(join(dir, "schema.sql"), "utf8");
}
