import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import Bunzip from "seek-bzip";
import { chainForCurrency, isValidAddress, normalizeAddress } from "../chains.ts";
import type { LabelDataset, LabelRecord } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { addressErrorReason } from "./address-fast.ts";
import { csvRecords } from "./csv-records.ts";

export const OFAC_DATASET = "ofac-sdn";
/** GraphSense "authority_data". */
export const OFAC_CONFIDENCE = 60;

/**
 * Terrorism programs. Of the 73 program codes in the 2025-11-19 list only SDGT and FTO are terrorism
 * designations; SDT (pre-2001 Middle East terrorists) and HIFPAA (Hizballah financing act) are older
 * terrorism tags kept so older snapshots map too. NS-PLC, IFSR, IRGC are not terrorism programs as such.
 */
export const TERRORISM_PROGRAMS: readonly string[] = ["SDGT", "FTO", "SDT", "HIFPAA"];
/** Narcotics programs (Kingpin Act, narcotics traffickers, EO 14059 illicit drugs). */
export const NARCOTICS_PROGRAMS: readonly string[] = ["SDNTK", "SDNT", "ILLICIT-DRUGS-EO14059"];
/** CYBER, CYBER2, CYBER3, CYBER4 and any later CYBERn. */
const CYBER_PROGRAM = /^CYBER\d*$/;

const TERRORISM = new Set(TERRORISM_PROGRAMS);
const NARCOTICS = new Set(NARCOTICS_PROGRAMS);

/** Categories for an SDN entry's programs; always ends with "sanction". */
export function ofacCategories(programs: string[]): string[] {
  const codes = programs.map((p) => p.trim().toUpperCase());
  const out: string[] = [];
  if (codes.some((p) => TERRORISM.has(p))) out.push("terrorism_financing");
  if (codes.some((p) => NARCOTICS.has(p))) out.push("drugs");
  if (codes.some((p) => CYBER_PROGRAM.test(p))) out.push("hacking");
  out.push("sanction");
  return out;
}

/** One "Digital Currency Address - XXX" feature of an SDN profile, as published. */
export interface OfacAddressEntry {
  currency: string;
  address: string;
  /** Profile id, the SDN uid. */
  uid: string;
  name: string;
  partyType: string | null;
  /** Program codes in the order the sanctions entry lists them. */
  programs: string[];
  list: string | null;
  entryDate: string | null;
  featureId: string | null;
}

export interface OfacSdnExtract {
  /** DateOfIssue as YYYY-MM-DD, null when missing. */
  dateOfIssue: string | null;
  entries: OfacAddressEntry[];
}

/** The label dataset plus the list date and the address entries it was built from. */
export interface OfacLabelDataset extends LabelDataset {
  listDate: string | null;
  entries: OfacAddressEntry[];
}

export interface ParseOfacOptions {
  sourceFile?: string;
  /** Dataset id chosen by the user; default "ofac-sdn" (the SDN list is one publication). */
  dataset?: string;
}

export interface ParseOfacCsvOptions extends ParseOfacOptions {
  /**
   * History tables (first_seen_snapshot/last_seen_snapshot columns): keep the rows present in this
   * snapshot (YYYY-MM-DD). Default: the latest snapshot in the table.
   */
  snapshot?: string;
  /** List date for the source text when the table has none (default: a date in the file name). */
  date?: string;
}

const DC_PREFIX = "Digital Currency Address - ";

const pad2 = (s: string): string => (s.length === 1 ? `0${s}` : s);
const ymd = (y: string, m: string, d: string): string | null =>
  y && m && d ? `${y.trim()}-${pad2(m.trim())}-${pad2(d.trim())}` : null;

function dateInName(file: string | undefined): string | null {
  return file ? (/(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1] ?? null) : null;
}

interface PendingFeature {
  profileId: string;
  featureId: string;
  currency: string;
  addresses: string[];
}

interface SanctionsEntryInfo {
  listId: string;
  programs: string[];
  entryDate: string | null;
}

// top-level sections of the document we look inside
const Section = { None: 0, DateOfIssue: 1, Reference: 2, Parties: 3, Entries: 4 } as const;
type Section = (typeof Section)[keyof typeof Section];

/**
 * Streams the OFAC "SDN advanced" XML and returns every digital-currency address feature with its
 * profile's primary name, party type and programs (document order, duplicates kept).
 */
export function extractOfacSdnXml(xml: string | Buffer): OfacSdnExtract {
  const text = typeof xml === "string" ? xml : xml.toString("utf8");
  const parser = new SaxesParser({ xmlns: false, position: false });

  // reference value sets (come before the parties in the schema)
  const dcFeatureTypes = new Map<string, string>();
  const partySubTypeToType = new Map<string, string>();
  const partyTypes = new Map<string, string>();
  const programTypeIds = new Set<string>();
  const lists = new Map<string, string>();

  const profiles = new Map<string, { name: string | null; subType: string | null }>();
  const pending: PendingFeature[] = [];
  const entriesByProfile = new Map<string, SanctionsEntryInfo[]>();

  let root: string | null = null;
  let section: Section = Section.None;
  let capturing = false;
  let buf = "";
  let refId = "";
  const issue = { Year: "", Month: "", Day: "" };

  let profile: { id: string; subType: string | null; name: string | null; hasDc: boolean } | null = null;
  let inPrimaryIdentity = false;
  let inPrimaryAlias = false;
  let collectingName = false;
  let nameParts: string[] = [];
  let feature: PendingFeature | null = null;

  let entry: (SanctionsEntryInfo & { profileId: string }) | null = null;
  let inEntryEvent = false;
  const eventDate = { Year: "", Month: "", Day: "" };
  let inProgramMeasure = false;

  const startCapture = (): void => {
    capturing = true;
    buf = "";
  };
  const endCapture = (): string => {
    capturing = false;
    return buf.trim();
  };

  parser.on("text", (t) => {
    if (capturing) buf += t;
  });

  parser.on("opentag", (tag: SaxesTagPlain) => {
    const a = tag.attributes;
    if (root === null) {
      root = tag.name;
      if (root !== "Sanctions") throw new BadInputError(`not an OFAC SDN advanced XML (root <${root}>)`);
      return;
    }
    switch (section) {
      case Section.None:
        if (tag.name === "DateOfIssue") section = Section.DateOfIssue;
        else if (tag.name === "ReferenceValueSets") section = Section.Reference;
        else if (tag.name === "DistinctParties") section = Section.Parties;
        else if (tag.name === "SanctionsEntries") section = Section.Entries;
        return;
      case Section.DateOfIssue:
        if (tag.name === "Year" || tag.name === "Month" || tag.name === "Day") startCapture();
        return;
      case Section.Reference:
        switch (tag.name) {
          case "FeatureType":
          case "PartyType":
          case "SanctionsType":
          case "List":
            refId = a.ID ?? "";
            startCapture();
            return;
          case "PartySubType":
            if (a.ID && a.PartyTypeID) partySubTypeToType.set(a.ID, a.PartyTypeID);
            return;
        }
        return;
      case Section.Parties:
        switch (tag.name) {
          case "Profile":
            profile = { id: a.ID ?? "", subType: a.PartySubTypeID ?? null, name: null, hasDc: false };
            return;
          case "Identity":
            inPrimaryIdentity = a.Primary === "true";
            return;
          case "Alias":
            inPrimaryAlias = inPrimaryIdentity && a.Primary === "true";
            return;
          case "DocumentedName":
            // an alias may carry the name in several scripts: the first one is the listed name
            if (inPrimaryAlias && profile !== null && profile.name === null && !collectingName) {
              collectingName = true;
              nameParts = [];
            }
            return;
          case "NamePartValue":
            if (collectingName) startCapture();
            return;
          case "Feature": {
            const currency = dcFeatureTypes.get(a.FeatureTypeID ?? "");
            if (currency !== undefined && profile !== null) {
              feature = { profileId: profile.id, featureId: a.ID ?? "", currency, addresses: [] };
            }
            return;
          }
          case "VersionDetail":
            if (feature !== null) startCapture();
            return;
        }
        return;
      case Section.Entries:
        switch (tag.name) {
          case "SanctionsEntry": {
            const pid = a.ProfileID ?? "";
            entry = profiles.has(pid)
              ? { profileId: pid, listId: a.ListID ?? "", programs: [], entryDate: null }
              : null;
            return;
          }
          case "EntryEvent":
            if (entry !== null && entry.entryDate === null) {
              inEntryEvent = true;
              eventDate.Year = eventDate.Month = eventDate.Day = "";
            }
            return;
          case "Year":
          case "Month":
          case "Day":
            if (inEntryEvent) startCapture();
            return;
          case "SanctionsMeasure":
            inProgramMeasure = entry !== null && programTypeIds.has(a.SanctionsTypeID ?? "");
            return;
          case "Comment":
            if (inProgramMeasure) startCapture();
            return;
        }
        return;
    }
  });

  parser.on("closetag", (tag) => {
    const name = tag.name;
    switch (section) {
      case Section.None:
        return;
      case Section.DateOfIssue:
        if (name === "Year" || name === "Month" || name === "Day") issue[name] = endCapture();
        else if (name === "DateOfIssue") section = Section.None;
        return;
      case Section.Reference:
        switch (name) {
          case "FeatureType": {
            const t = endCapture();
            if (t.startsWith(DC_PREFIX)) dcFeatureTypes.set(refId, t.slice(DC_PREFIX.length).trim());
            return;
          }
          case "PartyType":
            partyTypes.set(refId, endCapture());
            return;
          case "SanctionsType":
            if (endCapture() === "Program") programTypeIds.add(refId);
            return;
          case "List":
            lists.set(refId, endCapture());
            return;
          case "ReferenceValueSets":
            section = Section.None;
            return;
        }
        return;
      case Section.Parties:
        switch (name) {
          case "NamePartValue":
            if (collectingName) {
              const part = endCapture();
              if (part !== "") nameParts.push(part);
            }
            return;
          case "DocumentedName":
            if (collectingName && profile !== null) {
              profile.name = nameParts.join(" ");
              collectingName = false;
            }
            return;
          case "Alias":
            inPrimaryAlias = false;
            return;
          case "Identity":
            inPrimaryIdentity = false;
            return;
          case "VersionDetail":
            if (feature !== null) {
              const addr = endCapture();
              if (addr !== "") feature.addresses.push(addr);
            }
            return;
          case "Feature":
            if (feature !== null && profile !== null) {
              pending.push(feature);
              profile.hasDc = true;
              feature = null;
            }
            return;
          case "Profile":
            if (profile?.hasDc) profiles.set(profile.id, { name: profile.name, subType: profile.subType });
            profile = null;
            return;
          case "DistinctParties":
            section = Section.None;
            return;
        }
        return;
      case Section.Entries:
        switch (name) {
          case "Year":
          case "Month":
          case "Day":
            if (inEntryEvent) eventDate[name] = endCapture();
            return;
          case "EntryEvent":
            if (inEntryEvent && entry !== null) {
              entry.entryDate = ymd(eventDate.Year, eventDate.Month, eventDate.Day);
              inEntryEvent = false;
            }
            return;
          case "Comment":
            if (inProgramMeasure && entry !== null) {
              const code = endCapture();
              if (code !== "" && !entry.programs.includes(code)) entry.programs.push(code);
            }
            return;
          case "SanctionsMeasure":
            inProgramMeasure = false;
            return;
          case "SanctionsEntry":
            if (entry !== null) {
              const list = entriesByProfile.get(entry.profileId) ?? [];
              list.push(entry);
              entriesByProfile.set(entry.profileId, list);
              entry = null;
            }
            return;
          case "SanctionsEntries":
            section = Section.None;
            return;
        }
        return;
    }
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(`OFAC SDN XML does not parse: ${(e as Error).message}`, { cause: e });
  }
  if (root === null) throw new BadInputError("OFAC SDN XML is empty");

  const sdnListId = [...lists].find(([, v]) => v === "SDN List")?.[0];
  const entries: OfacAddressEntry[] = [];
  for (const f of pending) {
    const p = profiles.get(f.profileId);
    const se = entriesByProfile.get(f.profileId) ?? [];
    // a profile can also sit on the Consolidated/SSI lists; the SDN list entry is the designation
    const chosen = se.find((e) => e.listId === sdnListId) ?? se[0];
    const typeId = p?.subType ? partySubTypeToType.get(p.subType) : undefined;
    for (const address of f.addresses) {
      entries.push({
        currency: f.currency,
        address,
        uid: f.profileId,
        name: p?.name ?? "",
        partyType: typeId ? (partyTypes.get(typeId) ?? null) : null,
        programs: chosen ? [...chosen.programs] : [],
        list: chosen ? (lists.get(chosen.listId) ?? null) : null,
        entryDate: chosen?.entryDate ?? null,
        featureId: f.featureId || null,
      });
    }
  }
  return { dateOfIssue: ymd(issue.Year, issue.Month, issue.Day), entries };
}

/** USDT published with a Bitcoin address is Omni Layer Tether: the address lives on the bitcoin chain. */
function omniChain(currency: string, address: string): string | null {
  return currency.trim().toUpperCase() === "USDT" && isValidAddress("bitcoin", address) ? "bitcoin" : null;
}

/** Address entries -> LabelRecords: one per category; only exact repeats (same party, currency, programs) are dropped. */
export function ofacEntriesToDataset(entries: OfacAddressEntry[], listDate: string | null): OfacLabelDataset {
  const source = listDate ? `OFAC SDN ${listDate}` : "OFAC SDN";
  const labels: LabelRecord[] = [];
  const skipped: LabelDataset["skipped"] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const who = `SDN uid ${e.uid}${e.name ? ` (${e.name})` : ""}`;
    const raw = e.address.trim();
    const chain = chainForCurrency(e.currency, raw) ?? omniChain(e.currency, raw);
    if (chain === null) {
      skipped.push({ address: raw, reason: `${who}: no supported chain for currency ${e.currency}` });
      continue;
    }
    let address: string;
    try {
      address = normalizeAddress(chain, raw);
    } catch (err) {
      skipped.push({ address: raw, reason: `${who}, ${e.currency}: ${addressErrorReason(err)}` });
      continue;
    }
    const program = e.programs.length > 0 ? e.programs.join(";") : null;
    for (const category of ofacCategories(e.programs)) {
      const key = [chain, address, category, program ?? "", e.currency, e.uid].join("\u0000");
      if (seen.has(key)) continue;
      seen.add(key);
      labels.push({
        chain,
        address,
        currency: e.currency,
        // the SDN entry's name; a profile without one is still named by its uid
        label: e.name || `SDN uid ${e.uid}`,
        category,
        source,
        confidence: OFAC_CONFIDENCE,
        program,
        reference: `SDN uid ${e.uid}`,
        clusterDefining: false,
      });
    }
  }
  return { dataset: OFAC_DATASET, format: "ofac-sdn", labels, skipped, listDate, entries };
}

/** OFAC "SDN advanced" XML -> labels for every digital-currency address. */
export function parseOfacSdnXml(xml: string | Buffer, opts: ParseOfacOptions = {}): OfacLabelDataset {
  const { dateOfIssue, entries } = extractOfacSdnXml(xml);
  const ds = ofacEntriesToDataset(entries, dateOfIssue ?? dateInName(opts.sourceFile));
  return opts.dataset ? { ...ds, dataset: opts.dataset } : ds;
}

/**
 * OFAC per-address tables: the plain one (currency,address,sdn_uid,sdn_name,...,programs,...), the
 * per-snapshot history (first_seen_snapshot/last_seen_snapshot) and the update table (case_status).
 */
export function extractOfacCsv(
  text: string,
  opts: ParseOfacCsvOptions = {},
): { listDate: string | null; entries: OfacAddressEntry[]; skipped: LabelDataset["skipped"] } {
  const records = csvRecords(text, "OFAC address CSV");
  const first = records[0];
  const skipped: LabelDataset["skipped"] = [];
  if (!first) return { listDate: opts.date ?? dateInName(opts.sourceFile), entries: [], skipped };
  const missing = ["currency", "address", "programs"].filter((c) => !(c in first));
  if (missing.length > 0) throw new BadInputError(`OFAC address CSV lacks column(s): ${missing.join(", ")}`);

  let listDate = opts.date ?? dateInName(opts.sourceFile);
  const history = "first_seen_snapshot" in first && "last_seen_snapshot" in first;
  if (opts.snapshot !== undefined && !history) {
    throw new BadInputError(
      "a snapshot date needs a history table (first_seen_snapshot, last_seen_snapshot)",
    );
  }
  let rows = records;
  if (history) {
    // ISO dates compare as strings; presence is assumed continuous between first and last seen
    const snap =
      opts.snapshot ??
      records
        .map((r) => r.last_seen_snapshot ?? "")
        .sort()
        .at(-1) ??
      "";
    rows = records.filter(
      (r) => (r.first_seen_snapshot ?? "") <= snap && snap <= (r.last_seen_snapshot ?? ""),
    );
    listDate = snap || listDate;
  }

  const entries: OfacAddressEntry[] = [];
  for (const r of rows) {
    const address = (r.address ?? "").trim();
    const status = (r.case_status ?? "").trim();
    if (status === "lowercase-unrecoverable") {
      skipped.push({ address, reason: "published in lower case; original case cannot be recovered" });
      continue;
    }
    if (status.toUpperCase() === "AMBIGUOUS") {
      skipped.push({
        address,
        reason: `published in lower case; ambiguous case (${r.case_candidates ?? ""})`,
      });
      continue;
    }
    if (address === "") {
      skipped.push({ address, reason: "empty address" });
      continue;
    }
    entries.push({
      currency: (r.currency ?? "").trim(),
      address,
      uid: (r.sdn_uid ?? "").trim(),
      name: (r.sdn_name ?? "").trim(),
      partyType: r.party_type?.trim() || null,
      programs: (r.programs ?? "")
        .split(";")
        .map((p) => p.trim())
        .filter((p) => p !== ""),
      list: r.list?.trim() || null,
      entryDate: r.entry_date?.trim() || null,
      featureId: r.ofac_feature_id?.trim() || null,
    });
  }
  return { listDate, entries, skipped };
}

/** OFAC per-address CSV -> labels (same dataset id as the XML, so either replaces the other). */
export function parseOfacCsv(text: string, opts: ParseOfacCsvOptions = {}): OfacLabelDataset {
  const { listDate, entries, skipped } = extractOfacCsv(text, opts);
  const ds = ofacEntriesToDataset(entries, listDate);
  return { ...ds, dataset: opts.dataset ?? ds.dataset, skipped: [...skipped, ...ds.skipped] };
}

/** Reads an OFAC file: sdn_advanced XML (plain, .bz2 or .gz) or a per-address CSV. */
export async function readOfacFile(path: string, opts: ParseOfacCsvOptions = {}): Promise<OfacLabelDataset> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (cause) {
    throw new BadInputError(`cannot read OFAC file ${path}: ${(cause as Error).message}`, { cause });
  }
  let bytes: Buffer;
  try {
    if (path.endsWith(".bz2")) bytes = Bunzip.decode(raw);
    else if (path.endsWith(".gz")) bytes = gunzipSync(raw);
    else bytes = raw;
  } catch (cause) {
    throw new BadInputError(`cannot decompress ${path}: ${(cause as Error).message}`, { cause });
  }
  const text = bytes.toString("utf8");
  const o = { ...opts, sourceFile: opts.sourceFile ?? basename(path) };
  return text
    .replace(/^\ufeff/, "")
    .trimStart()
    .startsWith("<")
    ? parseOfacSdnXml(text, o)
    : parseOfacCsv(text, o);
}
