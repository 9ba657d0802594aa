import { timestampValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { int, text, textOrNull } from "./rows.ts";

export interface AuditEntry {
  id: string;
  at: string;
  /** key-<hash> of the API key, `none` without a key, `local` without keys, `cli:<user>` from the CLI. */
  keyId: string;
  action: string;
  /** What the write was on, cut to a few hundred characters. */
  target: string | null;
  /** SHA-256 of the full target. */
  targetSha256: string | null;
  /** The HTTP status of the answer (0: committed, answer not recorded). */
  status: number;
  /** What the write reported about itself (e.g. label rows added and removed). */
  details: Record<string, unknown> | null;
}

/** audit_log rows. */
export class AuditStore {
  constructor(private readonly store: Store) {}

  async insert(e: Omit<AuditEntry, "at"> & { atMicros: bigint }): Promise<void> {
    await this.store.run("audit.insert", {
      id: e.id,
      at: timestampValue(e.atMicros),
      key_id: e.keyId,
      action: e.action,
      target: e.target,
      target_sha256: e.targetSha256,
      status: e.status,
      details: e.details ? JSON.stringify(e.details) : null,
    });
  }

  /**
   * Rows in one statement, inside a transaction: run by the database, not flushed by an appender on the
   * thread that answers requests (which a commit under way elsewhere could hold up).
   */
  async insertMany(rows: readonly (Omit<AuditEntry, "at"> & { atMicros: bigint })[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((e) => ({
      id: e.id,
      // exact: a JSON number holds microseconds since 1970 up to the year 2255
      at_micros: Number(e.atMicros),
      key_id: e.keyId,
      action: e.action,
      target: e.target,
      target_sha256: e.targetSha256,
      status: e.status,
      details: e.details ? JSON.stringify(e.details) : null,
    }));
    await this.store.run("audit.insert_many", { rows: JSON.stringify(json) });
  }

  /** The answer of a write whose row went in with its commit. */
  async finish(id: string, status: number, details: Record<string, unknown> | null): Promise<void> {
    await this.store.run("audit.finish", { id, status, details: details ? JSON.stringify(details) : null });
  }

  /** Newest first. */
  async list(limit: number): Promise<AuditEntry[]> {
    return (await this.store.all("audit.list", { limit: BigInt(limit) })).map((r) => {
      const details = textOrNull(r, "details");
      return {
        id: text(r, "id"),
        at: text(r, "at"),
        keyId: text(r, "key_id"),
        action: text(r, "action"),
        target: textOrNull(r, "target"),
        targetSha256: textOrNull(r, "target_sha256"),
        status: int(r, "status"),
        details: details === null ? null : (JSON.parse(details) as Record<string, unknown>),
      };
    });
  }
}
