import { createHash, randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { AuditError, truncate } from "../errors.ts";
import { type AuditEntry, AuditStore } from "../store/audit.ts";
import type { CommitScope, Store } from "../store/db.ts";

export type { AuditEntry } from "../store/audit.ts";

/** Stored characters of a target (the SHA-256 of the full value is kept beside it). */
export const TARGET_MAX = 300;
/** Stored characters of an action (a path that matched no route may be long). */
export const ACTION_MAX = 200;

export interface AuditStart {
  /** key-<hash>, none, local, or cli:<user>. */
  keyId: string;
  action: string;
  /** The full target, asked for when the row is written (cut and hashed here). */
  target: () => Promise<string | null> | string | null;
}

/** Microseconds since the epoch, for rows ordered by arrival. */
function nowMicros(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

/**
 * The audit of one write (an API request that is not a GET, a CLI command that writes). Work run
 * through run() writes the row in the same transaction as its first commit, so a write is never
 * committed without its row, and a row that cannot be written rolls the write back; finish()
 * records the answer (or writes the row when nothing was committed).
 */
export class AuditedWrite {
  readonly id = randomUUID();
  private readonly at = nowMicros();
  private readonly scope: CommitScope;

  constructor(
    private readonly store: Store,
    private readonly db: AuditStore,
    private readonly start: AuditStart,
  ) {
    this.scope = {
      committed: false,
      notes: {},
      first: async () => {
        try {
          await this.insert(0);
        } catch (cause) {
          throw new AuditError("the audit log could not be written; the write was rolled back", { cause });
        }
      },
    };
  }

  /** True once the row is in the database (with a commit of the write, or by finish). */
  get written(): boolean {
    return this.scope.committed;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.store.scoped(this.scope, fn);
  }

  /**
   * Records the answer's status. Throws AuditError when the row cannot be written; `written` then
   * tells whether the write's row is in (only its status is missing) or nothing was recorded.
   */
  async finish(status: number, details: Record<string, unknown> = {}): Promise<void> {
    const all = { ...this.scope.notes, ...details };
    try {
      // one at a time with the writes: a commit of work still running in the scope cannot interleave
      await this.store.tx(async () => {
        if (this.scope.committed) await this.db.finish(this.id, status, orNull(all));
        else await this.insert(status, all);
      });
      this.scope.committed = true;
    } catch (cause) {
      throw new AuditError("the audit log could not be written; the request was refused", { cause });
    }
  }

  private async insert(status: number, details: Record<string, unknown> = this.scope.notes): Promise<void> {
    let full: string | null;
    try {
      full = await this.start.target();
    } catch {
      full = null;
    }
    await this.db.insert({
      id: this.id,
      atMicros: this.at,
      keyId: this.start.keyId,
      action: truncate(this.start.action, ACTION_MAX),
      target: full === null ? null : truncate(full, TARGET_MAX),
      targetSha256: full === null ? null : createHash("sha256").update(full).digest("hex"),
      status,
      details: orNull(details),
    });
  }
}

function orNull(d: Record<string, unknown>): Record<string, unknown> | null {
  return Object.keys(d).length > 0 ? d : null;
}

/** Every write through the API or the CLI: which key or user, when, what, on what, and how it ended. */
export class AuditService {
  private readonly db: AuditStore;

  constructor(private readonly store: Store) {
    this.db = new AuditStore(store);
  }

  /** Starts the audit of one write; see AuditedWrite. */
  open(start: AuditStart): AuditedWrite {
    return new AuditedWrite(this.store, this.db, start);
  }

  async list(limit = 100): Promise<AuditEntry[]> {
    return this.db.list(limit);
  }
}

/** The CLI's actor: `cli:<os user>`. */
export function cliActor(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `cli:${name || process.env.USER || `uid-${process.getuid?.() ?? "unknown"}`}`;
}
