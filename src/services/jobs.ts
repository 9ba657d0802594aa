import { randomUUID } from "node:crypto";
import { FundtraceError, NotFoundError } from "../errors.ts";
import type { Store } from "../store/db.ts";
import { type JobStatus, JobStore } from "../store/jobs.ts";

export type { JobStatus } from "../store/jobs.ts";

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number };
  result?: unknown;
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/** Background jobs in this process, recorded in the jobs table so their state survives a restart. */
export class JobService {
  private readonly running = new Map<string, Promise<void>>();
  private readonly db: JobStore;

  constructor(store: Store) {
    this.db = new JobStore(store);
  }

  async init(): Promise<void> {
    await this.db.failInterrupted();
  }

  async start(
    kind: string,
    params: unknown,
    work: (progress: (done: number, total: number) => void) => Promise<unknown>,
  ): Promise<string> {
    const id = randomUUID();
    await this.db.create(id, kind, json(params));
    let done = 0;
    let total = 0;
    let lastWrite = 0;
    const write = (status: JobStatus, result?: unknown, error?: unknown) =>
      this.db.update(id, {
        status,
        done,
        total,
        result: result === undefined ? null : json(result),
        error: error === undefined ? null : json(error),
      });
    const p = (async () => {
      await write("running");
      try {
        const result = await work((d, t) => {
          done = d;
          total = t;
          const now = Date.now();
          if (now - lastWrite > 250) {
            lastWrite = now;
            void write("running").catch(() => undefined);
          }
        });
        await write("done", result);
      } catch (e) {
        const err =
          e instanceof FundtraceError
            ? { code: e.code, message: e.message }
            : { code: "INTERNAL", message: "internal error" };
        await write("failed", undefined, err).catch(() => undefined);
      } finally {
        this.running.delete(id);
      }
    })();
    this.running.set(id, p);
    return id;
  }

  async get(id: string): Promise<Job> {
    const r = await this.db.get(id);
    if (!r) throw new NotFoundError(`no job ${id}`);
    const parse = (v: string | null) => (v === null ? undefined : JSON.parse(v));
    const job: Job = {
      id: r.id,
      kind: r.kind,
      status: r.status,
      progress: { done: r.progressDone, total: r.progressTotal },
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
    const result = parse(r.result);
    const error = parse(r.error);
    if (result !== undefined) job.result = result;
    if (error !== undefined) job.error = error;
    return job;
  }

  /** Waits for a job of this process to finish (tests, CLI). */
  async wait(id: string): Promise<Job> {
    await this.running.get(id);
    return this.get(id);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}
