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
    private readonly alone: GroupCommit,
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
      if (this.scope.committed) {
        // after the write's own commit, one at a time with the writes
        await this.store.tx(() => this.db.finish(this.id, status, orNull(all)));
        return;
      }
      // A request that wrote nothing (a screen, a refused one) is recorded beside the writer: it does
      // not wait for a long write (a label import) to end. Claimed first: work the request left running
      // that commits later adds no second row.
      this.scope.committed = true;
      try {
        await this.alone.add(await this.row(status, all));
      } catch (e) {
        this.scope.committed = false;
        throw e;
      }
    } catch (cause) {
      throw new AuditError("the audit log could not be written; the request was refused", { cause });
    }
  }

  private async insert(status: number, details: Record<string, unknown> = this.scope.notes): Promise<void> {
    await this.db.insert(await this.row(status, details));
  }

  private async row(status: number, details: Record<string, unknown>): Promise<AuditRow> {
    let full: string | null;
    try {
      full = await this.start.target();
    } catch {
      full = null;
    }
    return {
      id: this.id,
      atMicros: this.at,
      keyId: this.start.keyId,
      action: truncate(this.start.action, ACTION_MAX),
      target: full === null ? null : truncate(full, TARGET_MAX),
      targetSha256: full === null ? null : createHash("sha256").update(full).digest("hex"),
      status,
      details: orNull(details),
    };
  }
}

type AuditRow = Parameters<AuditStore["insert"]>[0];

/**
 * Rows of requests that wrote nothing, written beside the writer (Store.beside) in group commits: the
 * rows that arrive while one commit runs go in the next, together. Under load (fifty screens at once)
 * one commit per row would make the commits the bottleneck. Each add() resolves once its row is
 * committed, or rejects with its group.
 */
class GroupCommit {
  private queue: { row: AuditRow; done: (e?: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly db: AuditStore,
  ) {}

  add(row: AuditRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.running) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.store.beside(() => this.db.insertMany(group.map((g) => g.row)));
        for (const g of group) g.done();
      } catch (e) {
        for (const g of group) g.done(e);
      }
    }
    this.running = false;
  }
}

function orNull(d: Record<string, unknown>): Record<string, unknown> | null {
  return Object.keys(d).length > 0 ? d : null;
}

/** Every write through the API or the CLI: which key or user, when, what, on what, and how it ended. */
export class AuditService {
  private readonly db: AuditStore;
  private readonly alone: GroupCommit;

  constructor(private readonly store: Store) {
    this.db = new AuditStore(store);
    this.alone = new GroupCommit(store, this.db);
  }

  /** Starts the audit of one write; see AuditedWrite. */
  open(start: AuditStart): AuditedWrite {
    return new AuditedWrite(this.store, this.db, this.alone, start);
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
