import { StoreError } from "../errors.ts";
import type { Row } from "./db.ts";

// Column readers: the one place where DuckDB values become typed fields. A value of another type
// means a query and its wrapper disagree: fail loudly rather than carry a wrong value on.

function wrong(col: string, want: string, v: unknown): StoreError {
  return new StoreError(`column ${col}: expected ${want}, got ${v === null ? "null" : typeof v}`);
}

export function text(r: Row, col: string): string {
  const v = r[col];
  if (typeof v !== "string") throw wrong(col, "text", v);
  return v;
}

export function textOrNull(r: Row, col: string): string | null {
  return r[col] === null || r[col] === undefined ? null : text(r, col);
}

/** INTEGER or BIGINT as a JS number (counts, heights, indexes: never amounts). */
export function int(r: Row, col: string): number {
  const v = r[col];
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw wrong(col, "integer", v);
}

export function intOrNull(r: Row, col: string): number | null {
  return r[col] === null || r[col] === undefined ? null : int(r, col);
}

/** BIGINT or HUGEINT as bigint (amounts, cluster ids). */
export function big(r: Row, col: string): bigint {
  const v = r[col];
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw wrong(col, "bigint", v);
}

/** BOOLEAN; NULL reads as false. */
export function flag(r: Row, col: string): boolean {
  const v = r[col];
  if (v === null || v === undefined) return false;
  if (typeof v !== "boolean") throw wrong(col, "boolean", v);
  return v;
}

export function texts(r: Row, col: string): string[] {
  const v = r[col];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw wrong(col, "text list", v);
  return v as string[];
}
