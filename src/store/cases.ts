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

  /** The case with its wallets, notes and queries under a new name, in one transaction. */
  async rename(name: string, newName: string): Promise<void> {
    await this.store.tx(async () => {
      await this.store.run("cases.rename", { name, new_name: newName });
      for (const q of ["cases.rename_wallets", "cases.rename_notes", "cases.rename_queries"])
        await this.store.run(q, { name, new_name: newName });
    });
  }

  /** A null keeps the field as it is. */
  async update(name: string, title: string | null, description: string | null): Promise<void> {
    await this.store.run("cases.update", { name, title, description });
  }

  /** The case with its wallets, notes and query references (the saved queries stay). */
  async delete(name: string): Promise<void> {
    await this.store.tx(async () => {
      for (const q of ["cases.delete_wallets", "cases.delete_notes", "cases.delete_queries", "cases.delete"])
        await this.store.run(q, { name });
    });
  }

  /** The cases that hold a saved query. */
  async casesOfQuery(queryName: string): Promise<string[]> {
    return (await this.store.all("cases.cases_of_query", { query_name: queryName })).map((r) =>
      text(r, "case_name"),
    );
  }

  /** A saved query renamed or deleted (newName null): the cases that hold it follow. */
  async moveQueryRefs(queryName: string, newName: string | null): Promise<void> {
    if (newName === null) await this.store.run("cases.drop_query_refs", { query_name: queryName });
    else await this.store.run("cases.rename_query_refs", { query_name: queryName, new_name: newName });
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
