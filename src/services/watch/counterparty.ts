import type { LabelRecord } from "../../domain.ts";
import type { NewAlert } from "../../store/alerts.ts";
import type { FlowHit } from "../../store/watch.ts";
import {
  alerted,
  amountText,
  assetOf,
  labelOf,
  labelText,
  makeAlert,
  someLabels,
  spaceKey,
} from "./build.ts";

/**
 * Trigger (c): a watched wallet sent to or received from an address labelled in a category the
 * watchlist alerts on, in a transaction the watchlist had not screened. One alert per wallet,
 * counterparty, transaction, direction and asset.
 */
export function counterpartyAlerts(
  watchlist: string,
  hits: (FlowHit & { categories: string[] })[],
  labels: Map<string, LabelRecord[]>,
  alertOn: readonly string[],
): NewAlert[] {
  const out: NewAlert[] = [];
  for (const h of hits) {
    const cats = alerted(h.categories, alertOn);
    if (cats.length === 0) continue;
    const a = assetOf(h.chain, h.asset, h.symbol, h.decimals);
    const ls = someLabels(
      (labels.get(spaceKey(h.chain, h.counterparty)) ?? [])
        .filter((l) => cats.includes(l.category))
        .map(labelOf),
    );
    const who = `${h.counterparty} ${labelText(ls, cats)}`;
    const flow =
      h.direction === "out"
        ? `sent ${amountText(h.amount, a)} to ${who}`
        : `received ${amountText(h.amount, a)} from ${who}`;
    out.push(
      makeAlert({
        dedupKey: `counterparty|${h.chain}|${h.wallet}|${h.counterparty}|${h.txid}|${h.direction}|${a.asset}`,
        trigger: "counterparty",
        kind: h.direction === "out" ? "sent" : "received",
        chain: h.chain,
        address: h.wallet,
        categories: cats,
        endpoint: h.counterparty,
        amount: h.amount,
        ...a,
        direction: h.direction,
        path: [h.txid],
        watchlist,
        detail: { labels: ls },
        message: `watched wallet ${h.wallet} (watchlist "${watchlist}") ${flow} in transaction ${h.txid}`,
      }),
    );
  }
  return out;
}
