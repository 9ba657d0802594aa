import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getChain, normalizeAddress } from "../chains.ts";
import type { LabelRecord } from "../domain.ts";
import { BadInputError, ConflictError, NotFoundError, quote } from "../errors.ts";
import { jsonSafe } from "../json.ts";
import { caseWalletLabel } from "../labels/case-wallets.ts";
import { exportTagPack } from "../labels/tagpack.ts";
import { requireCategory } from "../labels/taxonomy.ts";
import { CaseStore, type CaseWallet } from "../store/cases.ts";
import type { Store } from "../store/db.ts";
import type { EvidenceService } from "./evidence.ts";
import { checkName, type QueryService } from "./queries.ts";

export type { CaseWallet } from "../store/cases.ts";

export interface CaseInfo {
  name: string;
  title: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  wallets: CaseWallet[];
  notes: { id: string; text: string; createdAt: string }[];
  queries: { name: string; chain: string; addresses: string[]; lastRun: string | null }[];
}

/** SHA256SUMS in `dir` over these files (paths relative to it), hashed as they are on disk. */
async function writeSums(dir: string, files: string[]): Promise<void> {
  const lines: string[] = [];
  for (const f of files)
    lines.push(
      `${createHash("sha256")
        .update(await readFile(join(dir, f)))
        .digest("hex")}  ${f}`,
    );
  await writeFile(join(dir, "SHA256SUMS"), `${lines.join("\n")}\n`);
}

/** A case groups flagged wallets, notes and saved queries under one name. */
export class CaseService {
  private readonly db: CaseStore;

  constructor(
    private readonly store: Store,
    private readonly queries: QueryService,
  ) {
    this.db = new CaseStore(store);
  }

  async create(name: string, o: { title?: string; description?: string } = {}): Promise<CaseInfo> {
    checkName("case", name);
    // checked and written in one transaction: two requests creating the same name cannot both pass
    await this.store.tx(async () => {
      if (await this.db.get(name)) throw new ConflictError(`a case named ${quote(name)} exists`);
      await this.db.insert(name, o.title?.trim() || name, o.description);
    });
    return this.get(name);
  }

  async get(name: string): Promise<CaseInfo> {
    const c = await this.db.get(name);
    if (!c) throw new NotFoundError(`no case named ${quote(name)}`);
    const wallets = await this.db.wallets(name);
    const notes = await this.db.notes(name);
    const names = await this.db.queryNames(name);
    const all = new Map((await this.queries.list()).map((q) => [q.name, q]));
    const queries = names.map((n) => {
      const q = all.get(n);
      return {
        name: n,
        chain: q?.params.chain ?? "",
        addresses: q?.params.addresses ?? [],
        lastRun: q?.lastRun ?? null,
      };
    });
    return {
      name,
      title: c.title,
      description: c.description,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      wallets,
      notes,
      queries,
    };
  }

  /**
   * Renames a case and/or changes its title or description; its wallets, notes and queries follow a
   * new name. Everything is checked before anything changes.
   */
  async edit(
    name: string,
    change: { name?: string; title?: string; description?: string },
  ): Promise<CaseInfo> {
    await this.get(name);
    const newName =
      change.name === undefined || change.name === name ? undefined : checkName("case", change.name);
    const title = change.title === undefined ? null : change.title.trim();
    if (title === "") throw new BadInputError("a case title cannot be empty");
    const description = change.description ?? null;
    if (newName === undefined && title === null && description === null)
      throw new BadInputError("nothing to change: give a new name, title or description");
    if (newName !== undefined && (await this.db.get(newName)))
      throw new ConflictError(`a case named "${newName}" exists`);
    await this.store.tx(async () => {
      if (title !== null || description !== null) await this.db.update(name, title, description);
      if (newName !== undefined) await this.db.rename(name, newName);
    });
    return this.get(newName ?? name);
  }

  /** Deletes a case with its wallets and notes; its saved queries stay (they may serve other cases). */
  async delete(name: string): Promise<{ name: string; wallets: number; notes: number; queries: string[] }> {
    const c = await this.get(name);
    await this.db.delete(name);
    return { name, wallets: c.wallets.length, notes: c.notes.length, queries: c.queries.map((q) => q.name) };
  }

  async list(): Promise<
    { name: string; title: string; updatedAt: string; wallets: number; queries: number; notes: number }[]
  > {
    return this.db.list();
  }

  /** Flags a wallet in the case; the address is validated first. Adding it again updates it. */
  async addWallet(
    name: string,
    chainName: string,
    rawAddress: string,
    o: { label?: string; category?: string; note?: string } = {},
  ): Promise<CaseWallet> {
    await this.get(name);
    const chain = getChain(chainName);
    const address = normalizeAddress(chain.name, rawAddress);
    const category = o.category ? requireCategory(o.category) : null;
    await this.db.upsertWallet(name, {
      chain: chain.name,
      address,
      label: o.label?.trim() || null,
      category,
      note: o.note ?? null,
    });
    return (await this.get(name)).wallets.find((w) => w.chain === chain.name && w.address === address)!;
  }

  async addNote(name: string, text: string): Promise<{ id: string; text: string }> {
    await this.get(name);
    if (!text.trim()) throw new BadInputError("a note needs text");
    const id = randomUUID();
    await this.db.insertNote(name, id, text);
    return { id, text };
  }

  async addQuery(name: string, queryName: string): Promise<void> {
    await this.get(name);
    await this.queries.get(queryName);
    await this.db.addQuery(name, queryName);
  }

  /** The case's own attributions (its flagged wallets) as labels. */
  async attributions(name: string): Promise<LabelRecord[]> {
    const c = await this.get(name);
    return c.wallets.map((w) => caseWalletLabel(c.name, w));
  }

  /**
   * case.json, tagpack.yaml, queries/NAME/ with the evidence package of each query's latest run, and
   * SHA256SUMS over every file written (`sha256sum -c SHA256SUMS` in the folder checks them all).
   */
  async exportTo(name: string, dir: string, evidence: EvidenceService): Promise<string[]> {
    const c = await this.get(name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "case.json"), `${JSON.stringify(jsonSafe(c), null, 2)}\n`);
    await writeFile(join(dir, "tagpack.yaml"), await this.tagpack(name));
    const files = ["case.json", "tagpack.yaml"];
    for (const q of c.queries) {
      if (!q.lastRun) continue;
      const d = await this.queries.runDetail(q.name);
      const sub = join("queries", q.name);
      for (const f of await evidence.writeDir(join(dir, sub), await evidence.forRun(d), d.trace))
        files.push(join(sub, f));
    }
    await writeSums(dir, files);
    return [...files, "SHA256SUMS"];
  }

  /** A TagPack of the case's attributions, to share with another agency. */
  async tagpack(name: string): Promise<string> {
    const c = await this.get(name);
    return exportTagPack(await this.attributions(name), {
      title: `fundtrace case ${c.name}: ${c.title}`,
      creator: "fundtrace",
      description: c.description ?? undefined,
      lastmod: c.updatedAt.slice(0, 10),
    });
  }
}
