import type { NewAlert } from "../../store/alerts.ts";
import type { RunEndpoint, RunRecord } from "../queries.ts";
import type { AlertLabel } from "./alerts.ts";
import { alerted, amountText, labelText, makeAlert } from "./build.ts";

/**
 * The fact behind a rerun alert: the query's flow reached this endpoint with this amount. A label alert
 * about a query run uses the same key, so the rerun that then shows the endpoint adds no second alert.
 */
export function rerunKey(
  query: string,
  chain: string,
  endpoint: string,
  asset: string,
  amount: string,
): string {
  return `rerun|${query}|${chain}|${endpoint}|${asset}|${amount}`;
}

/**
 * Trigger (a): a rerun's difference holds a new endpoint, or a larger amount at one, in a category the
 * query alerts on. The first run has no difference: it is the baseline.
 */
export function rerunAlerts(r: RunRecord, alertOn: readonly string[]): NewAlert[] {
  const { run, params, trace } = r;
  const diff = run.diff;
  if (!diff) return [];
  const chain = params.chain;
  const wallet = params.addresses[0]!;
  const backward = params.direction === "backward";
  const traced = (e: { address: string; asset: string }) =>
    trace.endpoints.find((t) => t.address === e.address && t.asset === e.asset);
  const base = (e: RunEndpoint, cats: string[], amount: bigint, path: string) => {
    const t = traced(e);
    const labels: AlertLabel[] = (t?.labels ?? []).map((label) => ({ label }));
    const asset = { asset: e.asset, symbol: t?.symbol ?? null, decimals: t?.decimals ?? null };
    const detail = {
      labels,
      hops: e.hops,
      ...(params.addresses.length > 1 ? { wallets: params.addresses } : {}),
    };
    return {
      trigger: "rerun" as const,
      chain,
      address: wallet,
      categories: cats,
      endpoint: e.address,
      amount,
      ...asset,
      direction: backward ? ("in" as const) : ("out" as const),
      path: path.split(">").filter(Boolean),
      query: run.query,
      run: run.id,
      detail,
      what: `${e.address} ${labelText(labels, cats)}`,
      asset_: asset,
    };
  };
  const out: NewAlert[] = [];
  for (const e of diff.newEndpoints) {
    const cats = alerted(e.categories, alertOn);
    if (cats.length === 0) continue;
    const { what, asset_, ...b } = base(e, cats, BigInt(e.amount), e.paths[0] ?? "");
    const flow = backward ? `${wallet} received funds from ${what}` : `funds of ${wallet} reached ${what}`;
    out.push(
      makeAlert({
        ...b,
        kind: "new_endpoint",
        dedupKey: rerunKey(run.query, chain, e.address, e.asset, e.amount),
        message: `query "${run.query}": ${flow}: ${amountText(BigInt(e.amount), asset_)} in ${e.hops} hop${e.hops === 1 ? "" : "s"}`,
      }),
    );
  }
  for (const c of diff.changedAmounts) {
    const delta = BigInt(c.delta);
    const e = run.endpoints.find((x) => x.address === c.address && x.asset === c.asset);
    if (delta <= 0n || !e) continue;
    const cats = alerted(e.categories, alertOn);
    if (cats.length === 0) continue;
    const path =
      diff.newPaths.find((p) => p.address === c.address && p.asset === c.asset)?.path ?? e.paths[0];
    const { what, asset_, ...b } = base(e, cats, BigInt(c.current), path ?? "");
    out.push(
      makeAlert({
        ...b,
        kind: "larger_amount",
        previousAmount: BigInt(c.previous),
        dedupKey: rerunKey(run.query, chain, c.address, c.asset, c.current),
        message:
          `query "${run.query}": ${amountText(delta, asset_)} more ${backward ? `came to ${wallet} from` : `of ${wallet}'s funds reached`} ` +
          `${what}, now ${amountText(BigInt(c.current), asset_)}`,
      }),
    );
  }
  return out;
}
