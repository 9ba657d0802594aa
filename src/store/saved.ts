import type { Store } from "./db.ts";
import { int, text, textOrNull } from "./rows.ts";

/** A saved query; params is its JSON text. */
export interface SavedQueryRow {
  name: string;
  params: string;
  createdAt: string;
}

export interface SavedQueryListRow extends SavedQueryRow {
  runs: number;
  lastRun: string | null;
}

/** A stored run; result (and params, when read by id) are JSON text. */
export interface QueryRunRow {
  id: string;
  startedAt: string;
  finishedAt: string;
  digest: string;
  result: string;
}

/** saved_queries and query_runs. */
export class SavedQueryStore {
  constructor(private readonly store: Store) {}

  async get(name: string): Promise<SavedQueryRow | undefined> {
    const r = await this.store.one("saved.get", { name });
    return r && { name: text(r, "name"), params: text(r, "params"), createdAt: text(r, "created_at") };
  }

  async insert(name: string, paramsJson: string): Promise<void> {
    await this.store.run("saved.insert", { name, params: paramsJson });
  }

  /** The query and its runs under a new name (the caller holds the transaction with the cases' references). */
  async rename(name: string, newName: string): Promise<void> {
    await this.store.run("saved.rename", { name, new_name: newName });
    await this.store.run("saved.rename_runs", { name, new_name: newName });
  }

  async updateParams(name: string, paramsJson: string): Promise<void> {
    await this.store.run("saved.update_params", { name, params: paramsJson });
  }

  /** The query and every run it stored. */
  async delete(name: string): Promise<void> {
    await this.store.run("saved.delete_runs", { name });
    await this.store.run("saved.delete", { name });
  }

  async list(): Promise<SavedQueryListRow[]> {
    return (await this.store.all("saved.list")).map((r) => ({
      name: text(r, "name"),
      params: text(r, "params"),
      createdAt: text(r, "created_at"),
      runs: int(r, "runs"),
      lastRun: textOrNull(r, "last_run"),
    }));
  }

  /** Newest first. */
  async runs(queryName: string, limit: number): Promise<QueryRunRow[]> {
    return (await this.store.all("saved.runs", { query_name: queryName, limit: BigInt(limit) })).map(toRun);
  }

  async runById(queryName: string, id: string): Promise<(QueryRunRow & { params: string }) | undefined> {
    const r = await this.store.one("saved.run_by_id", { query_name: queryName, id });
    return r && { ...toRun(r), params: text(r, "params") };
  }

  /** The result JSON of one run. */
  async runResult(id: string): Promise<string | undefined> {
    const r = await this.store.one("saved.run_result", { id });
    return r && text(r, "result");
  }

  /** `startedAt` is an ISO time; the run finishes now. */
  async insertRun(run: {
    id: string;
    queryName: string;
    startedAt: string;
    params: string;
    digest: string;
    result: string;
  }): Promise<void> {
    await this.store.run("saved.insert_run", {
      id: run.id,
      query_name: run.queryName,
      started_at: run.startedAt.replace("T", " ").replace("Z", ""),
      params: run.params,
      digest: run.digest,
      result: run.result,
    });
  }
}

function toRun(r: Record<string, unknown>): QueryRunRow {
  return {
    id: text(r, "id"),
    startedAt: text(r, "started_at"),
    finishedAt: text(r, "finished_at"),
    digest: text(r, "digest"),
    result: text(r, "result"),
  };
}
