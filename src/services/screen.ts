import { getChain, normalizeAddress } from "../chains.ts";
import { BAND_THRESHOLDS, type Risk, type RiskBand, riskFromCategories } from "../core/risk.ts";
import type { LabelRecord } from "../domain.ts";
import { BadInputError, FundtraceError } from "../errors.ts";
import type { LabelService } from "./labels.ts";
import { parseScreenCsv, type ScreenColumns } from "./screen-input.ts";

export interface ScreenItem {
  chain: string;
  address: string;
  /** Columns passed through as given (a customer id, a name), returned with the row's result. */
  fields?: Record<string, string>;
  /** The row's line in the file it came from. */
  line?: number;
}

export interface PublicLabel {
  label: string;
  category: string;
  source: string;
  confidence: number;
  program: string | null;
  reference: string | null;
  chain: string;
}

export interface ScreenResult {
  chain: string;
  address: string;
  fields?: Record<string, string>;
  line?: number;
  sanctioned: boolean;
  categories: string[];
  labels: PublicLabel[];
  risk: Pick<Risk, "score" | "band"> & { reasons: string[] };
  exposure?: { direct: unknown[]; indirect: unknown[] };
}

/** A row that could not be screened (bad chain, bad address, unreadable line): nothing is said of its risk. */
export interface ScreenRowError {
  chain: string;
  address: string;
  fields?: Record<string, string>;
  line?: number;
  error: { code: string; message: string };
}

export type ScreenRow = ScreenResult | ScreenRowError;

export const isScreenError = (r: ScreenRow): r is ScreenRowError => "error" in r;

/** How many rows were screened, failed, are sanctioned, and fell in each band. */
export interface ScreenSummary {
  rows: number;
  screened: number;
  errors: number;
  sanctioned: number;
  bands: Record<RiskBand, number>;
}

export interface ScreenResponse {
  results: ScreenRow[];
  summary: ScreenSummary;
  /** A file's columns passed through in `fields`, in its order (screening a file only). */
  columns?: string[];
}

const BANDS: RiskBand[] = ["none", ...BAND_THRESHOLDS.map(([b]) => b).reverse()];

/** `band` at or above `min` (none < low < medium < high < severe). */
export function bandAtLeast(band: RiskBand, min: RiskBand): boolean {
  // nothing stored to judge by: it cannot be vouched below any threshold (never a false clean)
  if (band === "unknown") return true;
  return BANDS.indexOf(band) >= BANDS.indexOf(min);
}

/** Rows a nightly job must act on: sanctioned, or at or above `failOn`. */
export function flaggedRows(rows: ScreenRow[], failOn?: RiskBand): ScreenResult[] {
  return rows.filter(
    (r): r is ScreenResult =>
      !isScreenError(r) && (r.sanctioned || (failOn !== undefined && bandAtLeast(r.risk.band, failOn))),
  );
}

export function summarize(rows: ScreenRow[]): ScreenSummary {
  const bands = Object.fromEntries(["unknown", ...BANDS].map((b) => [b, 0])) as Record<RiskBand, number>;
  let errors = 0;
  let sanctioned = 0;
  for (const r of rows) {
    if (isScreenError(r)) errors++;
    else {
      bands[r.risk.band]++;
      if (r.sanctioned) sanctioned++;
    }
  }
  return { rows: rows.length, screened: rows.length - errors, errors, sanctioned, bands };
}

export const MAX_SCREEN_ITEMS = 100_000;
export const MAX_EXPOSURE_ITEMS = 1_000;
/** GraphSense "authority_data" level. */
export const SANCTION_MIN_CONFIDENCE = 60;

export function publicLabel(l: LabelRecord): PublicLabel {
  return {
    label: l.label,
    category: l.category,
    source: l.source,
    confidence: l.confidence,
    program: l.program,
    reference: l.reference,
    chain: l.chain,
  };
}

/** Direct and indirect exposure of one address (the trace service's). */
export type ExposureLookup = (
  chain: string,
  address: string,
  hops: number,
  /** false: on stored data only (a viewer's screening). */
  fetch: boolean,
) => Promise<{ risk: Risk; direct: unknown[]; indirect: unknown[] }>;

/** Screening answers from labels (exposure joins in with tracing); a bad row is that row's error. */
export class ScreenService {
  constructor(
    private readonly labels: LabelService,
    private readonly exposure?: ExposureLookup,
  ) {}

  /**
   * Labels for every item; with `exposureHops`, also direct and indirect exposure (which traces
   * stored data and may fetch), and the risk then comes from labels and exposure together. An item
   * with a bad chain or address is that row's error; the others are screened. `errors` (rows a file
   * parser could not read) join the results in line order.
   */
  async screen(
    items: ScreenItem[],
    opts: { exposureHops?: number; fetch?: boolean; errors?: ScreenRowError[] } = {},
  ): Promise<ScreenResponse> {
    if (opts.exposureHops !== undefined && items.length > MAX_EXPOSURE_ITEMS) {
      throw new BadInputError(
        `screening with exposure takes at most ${MAX_EXPOSURE_ITEMS} items, got ${items.length}`,
        {},
        "LIMIT_EXCEEDED",
      );
    }
    if (items.length > MAX_SCREEN_ITEMS) {
      throw new BadInputError(
        `too many items: ${items.length} (max ${MAX_SCREEN_ITEMS} per request)`,
        {},
        "LIMIT_EXCEEDED",
      );
    }
    const rows: (ScreenItem | ScreenRowError)[] = items.map((it, i) => normalizeItem(it, i));
    const ok = rows.filter((r): r is ScreenItem => !("error" in r));
    const byChain = new Map<string, string[]>();
    for (const n of ok) byChain.set(n.chain, [...(byChain.get(n.chain) ?? []), n.address]);
    const found = new Map<string, Map<string, LabelRecord[]>>();
    for (const [chain, addrs] of byChain) found.set(chain, await this.labels.forAddresses(chain, addrs));
    const results: ScreenRow[] = rows.map((r) =>
      "error" in r
        ? r
        : withSource(screenResult(r.chain, r.address, found.get(r.chain)?.get(r.address) ?? []), r),
    );
    if (opts.exposureHops !== undefined && this.exposure) {
      for (const r of results) {
        if (isScreenError(r)) continue;
        const e = await this.exposure(r.chain, r.address, opts.exposureHops, opts.fetch !== false);
        r.risk = { score: e.risk.score, band: e.risk.band, reasons: e.risk.reasons };
        r.exposure = { direct: e.direct, indirect: e.indirect };
      }
    }
    if (opts.errors?.length) {
      results.push(...opts.errors);
      results.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    }
    return { results, summary: summarize(results) };
  }

  /** A customer file (CSV with a header) screened row by row; a row it cannot read is that row's error. */
  async screenFile(
    text: string,
    o: ScreenColumns & { exposureHops?: number; fetch?: boolean } = {},
  ): Promise<ScreenResponse> {
    const input = parseScreenCsv(text, o);
    if (input.items.length === 0 && input.errors.length === 0)
      throw new BadInputError("no rows to screen: the file needs a header and chain,address rows");
    const r = await this.screen(input.items, {
      exposureHops: o.exposureHops,
      fetch: o.fetch,
      errors: input.errors,
    });
    return { ...r, columns: input.passThrough };
  }
}

/** The item with its chain and address in canonical form, or the row's error (named by line or item number). */
function normalizeItem(it: ScreenItem, i: number): ScreenItem | ScreenRowError {
  try {
    const chain = getChain(it.chain).name;
    return { ...it, chain, address: normalizeAddress(chain, it.address) };
  } catch (e) {
    if (!(e instanceof FundtraceError)) throw e;
    const where = it.line !== undefined ? `line ${it.line}` : `item ${i + 1}`;
    return {
      chain: it.chain,
      address: it.address,
      ...(it.fields ? { fields: it.fields } : {}),
      ...(it.line !== undefined ? { line: it.line } : {}),
      error: { code: e.code, message: `${where}: ${e.message}` },
    };
  }
}

/** The passed-through columns and line first, as a customer file reads. */
function withSource(r: ScreenResult, it: ScreenItem): ScreenResult {
  const { chain, address, ...rest } = r;
  return {
    chain,
    address,
    ...(it.fields ? { fields: it.fields } : {}),
    ...(it.line !== undefined ? { line: it.line } : {}),
    ...rest,
  };
}

export function screenResult(chain: string, address: string, ls: LabelRecord[]): ScreenResult {
  const categories = [...new Set(ls.map((l) => l.category))].sort();
  const risk = riskFromCategories(categories);
  // the band's reason, also when nothing scores: a label that is not a risk, or no label at all
  if (risk.reasons.length === 0)
    risk.reasons.push(
      categories.length > 0
        ? `labelled ${categories.join(", ")}: no risk category`
        : "no label lists this address",
    );
  return {
    chain,
    address,
    // Only authority-grade attributions (OFAC: 60) make an address "sanctioned"; crawled labels inform risk only.
    sanctioned: ls.some((l) => l.category === "sanction" && l.confidence >= SANCTION_MIN_CONFIDENCE),
    categories,
    labels: ls.map(publicLabel),
    risk: { score: risk.score, band: risk.band, reasons: risk.reasons },
  };
}
