import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const QUERIES_DIR = fileURLToPath(new URL("../../queries/", import.meta.url));

export interface NamedQuery {
  name: string;
  file: string;
  params: string[];
  sql: string;
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
    map.set(name, { name, file: rel, params, sql: sql.trim().replace(/;\s*$/, "") });
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
