import { listValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { int, text, textOrNull, texts } from "./rows.ts";

/** A logged upstream response and the refs (of those asked for) that it names. */
export interface LoggedResponseRow {
  source: string;
  url: string;
  request: string | null;
  status: number;
  sha256: string;
  fetchedAt: string;
  refs: string[];
}

/** response_log and response_bodies, read back for evidence packages. */
export class EvidenceStore {
  constructor(private readonly store: Store) {}

  /** Every logged response whose URL, request or body names one of the refs, oldest first. */
  async responsesFor(refs: string[]): Promise<LoggedResponseRow[]> {
    if (refs.length === 0) return [];
    return (await this.store.all("evidence.responses_for", { refs: listValue(refs) })).map((r) => ({
      source: text(r, "source"),
      url: text(r, "url"),
      request: textOrNull(r, "request"),
      status: int(r, "status"),
      sha256: text(r, "sha256"),
      fetchedAt: text(r, "fetched_at"),
      refs: texts(r, "refs"),
    }));
  }

  /** Stored bodies by hash. */
  async bodies(hashes: string[]): Promise<Map<string, string>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.store.all("evidence.bodies", { hashes: listValue([...new Set(hashes)]) });
    return new Map(rows.map((r) => [text(r, "sha256"), text(r, "body")]));
  }
}
