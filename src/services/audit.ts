import { randomUUID } from "node:crypto";
import type { Store } from "../store/db.ts";

export interface AuditEntry {
  id: string;
  at: string;
  keyId: string;
  action: string;
  target: string | null;
  status: number;
}

/** Every write through the API: which key, when, what, on what, and how it ended. */
export class AuditService {
  constructor(private readonly store: Store) {}

  async record(e: Omit<AuditEntry, "id" | "at">): Promise<void> {
    await this.store.run("audit.insert", {
      id: randomUUID(),
      key_id: e.keyId,
      action: e.action,
      target: e.target,
      status: e.status,
    });
  }

  async list(limit = 100): Promise<AuditEntry[]> {
    return (await this.store.all("audit.list", { limit: BigInt(limit) })).map((r) => ({
      id: r.id as string,
      at: r.at as string,
      keyId: r.key_id as string,
      action: r.action as string,
      target: (r.target as string | null) ?? null,
      status: Number(r.status),
    }));
  }
}
