import { getChain, normalizeAddress } from "../chains.ts";
import { type Risk, riskFromCategories } from "../core/risk.ts";
import type { LabelRecord } from "../domain.ts";
import { BadInputError, FundtraceError } from "../errors.ts";
import type { LabelService } from "./labels.ts";

export interface ScreenItem {
  chain: string;
  address: string;
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
  sanctioned: boolean;
  categories: string[];
  labels: PublicLabel[];
  risk: Pick<Risk, "score" | "band"> & { reasons: string[] };
  exposure?: { direct: unknown[]; indirect: unknown[] };
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

/** Screening answers from labels (exposure joins in with tracing). Validates every item before any lookup. */
export class ScreenService {
  constructor(
    private readonly labels: LabelService,
    private readonly exposure?: ExposureLookup,
  ) {}

  /**
   * Labels for every item; with `exposureHops`, also direct and indirect exposure (which traces
   * stored data and may fetch), and the risk then comes from labels and exposure together.
   */
  async screen(
    items: ScreenItem[],
    opts: { exposureHops?: number; fetch?: boolean } = {},
  ): Promise<{ results: ScreenResult[] }> {
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
    const norm = items.map((it, i) => {
      try {
        const chain = getChain(it.chain).name;
        return { chain, address: normalizeAddress(chain, it.address) };
      } catch (e) {
        if (e instanceof FundtraceError) {
          throw new BadInputError(`item ${i + 1}: ${e.message}`, { cause: e, details: { index: i } }, e.code);
        }
        throw e;
      }
    });
    const byChain = new Map<string, string[]>();
    for (const n of norm) byChain.set(n.chain, [...(byChain.get(n.chain) ?? []), n.address]);
    const found = new Map<string, Map<string, LabelRecord[]>>();
    for (const [chain, addrs] of byChain) found.set(chain, await this.labels.forAddresses(chain, addrs));
    const results = norm.map(({ chain, address }) =>
      screenResult(chain, address, found.get(chain)?.get(address) ?? []),
    );
    if (opts.exposureHops !== undefined && this.exposure) {
      for (const r of results) {
        const e = await this.exposure(r.chain, r.address, opts.exposureHops, opts.fetch !== false);
        r.risk = { score: e.risk.score, band: e.risk.band, reasons: e.risk.reasons };
        r.exposure = { direct: e.direct, indirect: e.indirect };
      }
    }
    return { results };
  }
}

export function screenResult(chain: string, address: string, ls: LabelRecord[]): ScreenResult {
  const categories = [...new Set(ls.map((l) => l.category))].sort();
  const risk = riskFromCategories(categories);
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
