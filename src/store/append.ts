import {
  DuckDBBigIntType,
  DuckDBBooleanType,
  DuckDBDataChunk,
  DuckDBHugeIntType,
  DuckDBIntegerType,
  DuckDBTimestampType,
  type DuckDBType,
  DuckDBVarCharType,
} from "@duckdb/node-api";
import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";

/** Column types a staging table uses; null is allowed in every one. */
export type ColType = "varchar" | "integer" | "bigint" | "hugeint" | "boolean" | "timestamp";

const TYPES: Record<ColType, DuckDBType> = {
  varchar: DuckDBVarCharType.instance,
  integer: DuckDBIntegerType.instance,
  bigint: DuckDBBigIntType.instance,
  hugeint: DuckDBHugeIntType.instance,
  boolean: DuckDBBooleanType.instance,
  timestamp: DuckDBTimestampType.instance,
};

/** A table's columns in order, each filled by a function of the row. */
export type Columns<R> = readonly (readonly [ColType, (row: R, i: number) => unknown])[];

const CHUNK = 2048;

/**
 * Appends rows through one appender in chunks of 2048, column by column (one native call per column and
 * chunk, not per value). Inside store.tx() only: the rows land with the rest of the transaction.
 */
export async function appendRows<R>(
  store: Store,
  table: string,
  columns: Columns<R>,
  rows: readonly R[],
  o: { yieldBetweenChunks?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const app = await store.appender(table);
  try {
    if (app.columnCount !== columns.length) {
      throw new StoreError(`${table} has ${app.columnCount} columns, the writer gives ${columns.length}`);
    }
    const chunk = DuckDBDataChunk.create(columns.map(([t]) => TYPES[t]));
    for (let off = 0; off < rows.length; off += CHUNK) {
      const n = Math.min(CHUNK, rows.length - off);
      chunk.rowCount = n;
      for (let c = 0; c < columns.length; c++) {
        const get = columns[c]![1];
        const v = chunk.getColumnVector(c);
        for (let r = 0; r < n; r++) v.setItem(r, get(rows[off + r]!, off + r) as never);
        v.flush();
      }
      app.appendDataChunk(chunk);
      if (o.yieldBetweenChunks && off + n < rows.length) {
        // the appender's buffered rows go in now, a chunk's worth of blocking, not all at close
        app.flushSync();
        await new Promise(setImmediate);
      }
    }
    app.closeSync();
  } catch (cause) {
    app.closeSync();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`appending to ${table} failed: ${(cause as Error).message}`, { cause });
  }
}
