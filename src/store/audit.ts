import type { Store } from "./db.ts";
import { int, text, textOrNull } from "./rows.ts";

export interface AuditEntry {
  id: string;
  at: string;
  keyId: string;
  action: string;
  target: string | null;
  status: number;
}

/** audit_log rows. */
export class AuditStore {
  constructor(private readonly store: Store) {}

  async insert(e: Omit<AuditEntry, "at">): Promise<void> {
    await this.store.run("audit.insert", {
      id: e.id,
      key_id: e.keyId,
      action: e.action,
      target: e.target,
      status: e.status,
    });
  }

  /** Newest first. */
  async list(limit: number): Promise<AuditEntry[]> {
    return (await this.store.all("audit.list", { limit: BigInt(limit) })).map((r) => ({
      id: text(r, "id"),
      at: text(r, "at"),
      keyId: text(r, "key_id"),
      action: text(r, "action"),
      target: textOrNull(r, "target"),
      status: int(r, "status"),
    }));
  }
}
