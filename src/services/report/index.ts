import { getChain } from "../../chains.ts";
import type { LabelRecord } from "../../domain.ts";
import type { EvidencePackage } from "../evidence.ts";
import type { FlowTrace } from "./flow.ts";
import { renderReport } from "./html.ts";

export { assetInfo, type FlowTrace } from "./flow.ts";
export { type ReportInput, renderReport } from "./html.ts";
export { flowSvg } from "./svg.ts";

/** The chain's native asset, for amounts of nodes no endpoint names. */
export function nativeAsset(chain: string): { symbol: string; decimals: number } {
  const c = getChain(chain);
  return { symbol: c.symbol, decimals: c.decimals };
}

/** The HTML report of an evidence package, with the label records of its addresses. */
export function reportOfPackage(
  pkg: EvidencePackage,
  labels: ReadonlyMap<string, readonly LabelRecord[]>,
): string {
  const result = pkg.result as FlowTrace;
  return renderReport({
    result,
    params: pkg.params,
    generatedAt: pkg.generatedAt,
    version: pkg.tool.version,
    run:
      pkg.subject.kind === "run"
        ? { query: pkg.subject.query, runId: pkg.subject.runId, startedAt: pkg.subject.startedAt }
        : undefined,
    resultSha256: pkg.resultSha256,
    responses: pkg.responses,
    unsourced: pkg.unsourced,
    labels,
    native: nativeAsset(result.chain),
  });
}
