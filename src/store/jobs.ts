import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";
import { int, text } from "./rows.ts";

const JOB_STATUSES = ["queued", "running", "done", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  progressDone: number;
  progressTotal: number;
  /** JSON text, null until set. */
  result: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

function isJobStatus(s: string): s is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(s);
}

/** The jobs table. Params, result and error are JSON text. */
export class JobStore {
  constructor(private readonly store: Store) {}

  /** Jobs left queued or running by a process that died are marked failed. */
  async failInterrupted(): Promise<void> {
    await this.store.run("jobs.fail_interrupted");
  }

  async create(id: string, kind: string, paramsJson: string): Promise<void> {
    await this.store.run("jobs.create", { id, kind, params: paramsJson });
  }

  /**
   * A null result or error keeps the stored one. Never part of a transaction the job's work runs in:
   * the job's row says how far it got whether that work commits or not.
   */
  async update(
    id: string,
    u: { status: JobStatus; done: number; total: number; result: string | null; error: string | null },
  ): Promise<void> {
    await this.store.detached(() =>
      this.store.run("jobs.update", {
        id,
        status: u.status,
        progress_done: u.done,
        progress_total: u.total,
        result: u.result,
        error: u.error,
      }),
    );
  }

  async get(id: string): Promise<JobRow | undefined> {
    const r = await this.store.one("jobs.get", { id });
    if (!r) return undefined;
    const status = text(r, "status");
    if (!isJobStatus(status)) throw new StoreError(`job ${id} has unknown status "${status}"`);
    // JSON columns come back as text
    const json = (col: string) => (r[col] === null || r[col] === undefined ? null : String(r[col]));
    return {
      id: text(r, "id"),
      kind: text(r, "kind"),
      status,
      progressDone: int(r, "progress_done"),
      progressTotal: int(r, "progress_total"),
      result: json("result"),
      error: json("error"),
      createdAt: text(r, "created_at"),
      updatedAt: text(r, "updated_at"),
    };
  }
}
