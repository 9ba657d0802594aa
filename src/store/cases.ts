import type { Store } from "./db.ts";
import { int, text, textOrNull } from "./rows.ts";

export interface CaseWallet {
  chain: string;
  address: string;
  label: string | null;
  category: string | null;
  note: string | null;
  addedAt: string;
}

export interface CaseNote {
  id: string;
  text: string;
  createdAt: string;
}

export interface CaseRow {
  name: string;
  title: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CaseSummary {
  name: string;
  title: string;
  updatedAt: string;
  wallets: number;
  queries: number;
  notes: number;
}

/** cases, case_wallets, case_notes, case_queries. Each change also touches the case, in one transaction. */
export class CaseStore {
  constructor(private readonly store: Store) {}

  async get(name: string): Promise<CaseRow | undefined> {
    const r = await this.store.one("cases.get", { name });
    return (
      r && {
        name: text(r, "name"),
        title: text(r, "title"),
        description: textOrNull(r, "description"),
        createdAt: text(r, "created_at"),
        updatedAt: text(r, "updated_at"),
      }
    );
  }

  async insert(name: string, title: string, description: string | undefined): Promise<void> {
    await this.store.run("cases.insert", { name, title, description });
  }

  async list(): Promise<CaseSummary[]> {
    return (await this.store.all("cases.list")).map((r) => ({
      name: text(r, "name"),
      title: text(r, "title"),
      updatedAt: text(r, "updated_at"),
      wallets: int(r, "wallets"),
      queries: int(r, "queries"),
      notes: int(r, "notes"),
    }));
  }

  async wallets(caseName: string): Promise<CaseWallet[]> {
    return (await this.store.all("cases.wallets", { case_name: caseName })).map((r) => ({
      chain: text(r, "chain"),
      address: text(r, "address"),
      label: textOrNull(r, "label"),
      category: textOrNull(r, "category"),
      note: textOrNull(r, "note"),
      addedAt: text(r, "added_at"),
    }));
  }

  async notes(caseName: string): Promise<CaseNote[]> {
    return (await this.store.all("cases.notes", { case_name: caseName })).map((r) => ({
      id: text(r, "id"),
      text: text(r, "text"),
      createdAt: text(r, "created_at"),
    }));
  }

  async queryNames(caseName: string): Promise<string[]> {
    return (await this.store.all("cases.queries", { case_name: caseName })).map((r) => text(r, "query_name"));
  }

  /** Adding a wallet again keeps what was said about it unless said anew (null keeps the old value). */
  async upsertWallet(
    caseName: string,
    w: Pick<CaseWallet, "chain" | "address" | "label" | "category" | "note">,
  ): Promise<void> {
    await this.store.tx(async () => {
      await this.store.run("cases.upsert_wallet", { case_name: caseName, ...w });
      await this.store.run("cases.touch", { name: caseName });
    });
  }

  async insertNote(caseName: string, id: string, noteText: string): Promise<void> {
    await this.store.tx(async () => {
      await this.store.run("cases.insert_note", { id, case_name: caseName, text: noteText });
      await this.store.run("cases.touch", { name: caseName });
    });
  }

  async addQuery(caseName: string, queryName: string): Promise<void> {
    await this.store.tx(async () => {
      await this.store.run("cases.add_query", { case_name: caseName, query_name: queryName });
      await this.store.run("cases.touch", { name: caseName });
    });
  }
}
