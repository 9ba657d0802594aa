import { randomUUID } from "node:crypto";
import { type AuditEntry, AuditStore } from "../store/audit.ts";
import type { Store } from "../store/db.ts";

export type { AuditEntry } from "../store/audit.ts";

/** Every write through the API: which key, when, what, on what, and how it ended. */
export class AuditService {
  private readonly db: AuditStore;

  constructor(store: Store) {
    this.db = new AuditStore(store);
  }

  async record(e: Omit<AuditEntry, "id" | "at">): Promise<void> {
    await this.db.insert({ id: randomUUID(), ...e });
  }

  async list(limit = 100): Promise<AuditEntry[]> {
    return this.db.list(limit);
  }
}
