import { randomUUID } from "node:crypto";
import { FundtraceError, NotFoundError, quote } from "../errors.ts";
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
  /** Progress of this process's running jobs, newer than their rows while a write holds the store. */
  private readonly progress = new Map<string, { done: number; total: number }>();
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
    const progress = { done: 0, total: 0 };
    let lastWrite = 0;
    let writing = false;
    const write = (status: JobStatus, result?: unknown, error?: unknown) =>
      this.db.update(id, {
        status,
        done: progress.done,
        total: progress.total,
        result: result === undefined ? null : json(result),
        error: error === undefined ? null : json(error),
      });
    const p = (async () => {
      await write("running");
      try {
        const result = await work((d, t) => {
          progress.done = d;
          progress.total = t;
          const now = Date.now();
          // a progress write waits while a long write holds the store: never more than one queued
          if (now - lastWrite > 250 && !writing) {
            lastWrite = now;
            writing = true;
            void write("running")
              .catch(() => undefined)
              .finally(() => {
                writing = false;
              });
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
        this.progress.delete(id);
      }
    })();
    this.running.set(id, p);
    this.progress.set(id, progress);
    return id;
  }

  async get(id: string): Promise<Job> {
    const r = await this.db.get(id);
    if (!r) throw new NotFoundError(`no job ${quote(id)}`);
    const parse = (v: string | null) => (v === null ? undefined : JSON.parse(v));
    const job: Job = {
      id: r.id,
      kind: r.kind,
      status: r.status,
      progress: { done: r.progressDone, total: r.progressTotal },
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
    const live = r.status === "running" ? this.progress.get(id) : undefined;
    if (live) job.progress = { ...live };
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
