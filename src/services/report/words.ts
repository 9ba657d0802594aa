/** The report's plain words: who listed a wallet, what a hop count means, how a taint model counts. */
import type { LabelRecord } from "../../domain.ts";
import { type AssetInfo, amountText, categoryGroup, type FlowTrace, GROUPS, type Group } from "./flow.ts";

export type LabelsOf = (address: string) => readonly LabelRecord[];

const NUMBERS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];

export function numberWord(n: number): string {
  return NUMBERS[n] ?? String(n);
}

export function transactionsWord(n: number): string {
  return `${numberWord(n)} transaction${n === 1 ? "" : "s"}`;
}

/** Who publishes a list, by the start of a label's source (else the source as written). */
const ISSUERS: readonly [RegExp, string][] = [
  [/^NBCTF\b/i, "Israel's NBCTF"],
  [/^OFAC\b/i, "the US Treasury's OFAC"],
  [/^UN\b|^UNSC\b/, "the UN Security Council"],
  [/^EU\b/, "the European Union"],
];

export function issuer(source: string): string {
  for (const [re, who] of ISSUERS) if (re.test(source)) return who;
  return source;
}

function joinWords(xs: string[]): string {
  if (xs.length <= 1) return xs[0] ?? "";
  return `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

type Endpoint = FlowTrace["endpoints"][number];

/** Who an endpoint is, in words, from its labels and their sources. */
export function whom(e: Endpoint, labelsOf: LabelsOf): string {
  const group = categoryGroup(e.categories);
  const records = labelsOf(e.address);
  const matching = records.filter((l) =>
    (GROUPS.find((g) => g.group === group)?.categories ?? []).includes(l.category),
  );
  const issuers = joinWords([...new Set(matching.map((l) => issuer(l.source)))]);
  const name = e.labels[0] ?? matching[0]?.label ?? "";
  switch (group) {
    case "terrorism_financing":
      return issuers
        ? `a wallet listed by ${issuers} for terror financing`
        : `a wallet labelled terror financing`;
    case "sanction":
      return issuers ? `a wallet sanctioned by ${issuers}` : `a sanctioned wallet`;
    case "exchange":
      return name ? `the exchange ${name}` : "an exchange";
    case "mixer":
      return name ? `the mixer ${name}` : "a mixer";
    case "other":
      return `a wallet labelled “${name || e.categories[0]}” (${e.categories.join(", ")})`;
    default:
      return "an unlabelled wallet";
  }
}

const ORDER: Group[] = ["terrorism_financing", "sanction", "mixer", "exchange", "other", "unlabelled"];
const rank = (e: Endpoint) => ORDER.indexOf(categoryGroup(e.categories));
const byAmount = (a: Endpoint, b: Endpoint) => {
  const x = BigInt(a.amount);
  const y = BigInt(b.amount);
  return x > y ? -1 : x < y ? 1 : 0;
};

/** Endpoints most serious first, then by amount. */
export function rankedEndpoints(r: FlowTrace): Endpoint[] {
  return [...r.endpoints].sort((a, b) => rank(a) - rank(b) || byAmount(a, b));
}

/** What fundtrace did not see, in words (never a false clean). */
export function limitsSentences(r: FlowTrace): string[] {
  const out: string[] = [];
  if (r.stats.truncated)
    out.push("The trace was cut short by its address budget: the funds may have gone further than shown.");
  const { txids, addresses, addressCount } = r.stats.missing;
  const n = addressCount ?? addresses.length;
  if (txids.length || n)
    out.push(
      `fundtrace could not load ${txids.length} transaction${txids.length === 1 ? "" : "s"} and the history of ${n} address${n === 1 ? "" : "es"} the funds reached; what they carried is not counted.`,
    );
  for (const g of r.stats.gaps ?? []) out.push(`Source gap: ${g.message}.`);
  for (const u of r.stats.coverage?.unknown ?? []) out.push(`Start address ${u.address}: ${u.reason}.`);
  for (const n of r.stats.coverage?.notes ?? []) if (n.startsWith("could not fetch")) out.push(`${n}.`);
  return out;
}

/** The answer first, in plain words: one sentence per labelled endpoint, then the unlabelled rest. */
export function answerSentences(
  r: FlowTrace,
  labelsOf: LabelsOf,
  info: (asset: string) => AssetInfo,
  max = 8,
): string[] {
  const many = r.start.length > 1;
  const funds = many ? `the ${numberWord(r.start.length)} wallets' funds` : "the wallet's funds";
  const forward = r.direction === "forward";
  const labelled = rankedEndpoints(r).filter((e) => e.categories.length > 0);
  const out = labelled.slice(0, max).map((e) => {
    const amount = amountText(e.amount, e.asset, info);
    const when = `${transactionsWord(e.hops)} ${forward ? "later" : "earlier"}`;
    return forward
      ? `${amount} of ${funds} reached ${whom(e, labelsOf)}, ${when}.`
      : `${amount} of the funds that reached ${many ? "the wallets" : "the wallet"} came from ${whom(e, labelsOf)}, ${when}.`;
  });
  if (labelled.length > max)
    out.push(`${labelled.length - max} more labelled wallets are listed in the endpoints table below.`);
  const rest = new Map<string, { sum: bigint; n: number }>();
  for (const e of r.endpoints) {
    if (e.categories.length > 0) continue;
    const x = rest.get(e.asset) ?? { sum: 0n, n: 0 };
    rest.set(e.asset, { sum: x.sum + BigInt(e.amount), n: x.n + 1 });
  }
  for (const [asset, { sum, n }] of rest)
    out.push(
      `${amountText(sum, asset, info)} ${forward ? "went to" : "came from"} ${numberWord(n)} unlabelled wallet${n === 1 ? "" : "s"} where the trace ended.`,
    );
  if (labelled.length === 0)
    out.unshift(
      `No labelled wallet was found within ${transactionsWord(r.maxHops)} ${forward ? "of where the funds went" : "of where the funds came from"}${limitsSentences(r).length ? ", as far as fundtrace could see" : ""}.`,
    );
  return out;
}

const MODEL_WORDS: Record<FlowTrace["model"], string> = {
  poison:
    "Poison: a transaction that receives any of the traced funds taints everything it pays out, in full. It shows every place the money could have gone and overstates the amounts; use it to find destinations, not to count.",
  haircut:
    "Haircut: a transaction passes the traced funds on in proportion to their share of what it spends. If a quarter of a transaction's inputs were traced funds, a quarter of each of its outputs counts as traced funds.",
  fifo: "First in, first out: coins leave a wallet in the order they arrived, so the traced coins are followed exactly to the payments that spent them.",
};

/** How the amounts were counted, and where the trace stops, in plain words. */
export function modelSentences(
  r: FlowTrace,
  params: {
    stopAt?: string[];
    minValue?: string | bigint;
    targets?: { categories?: string[]; addresses?: string[] };
  },
): string[] {
  const out = [MODEL_WORDS[r.model]];
  out.push(
    r.direction === "forward"
      ? `Direction forward: the funds were followed from the wallet to where they went, up to ${transactionsWord(r.maxHops)} away.`
      : `Direction backward: the funds were followed from the wallet back to where they came from, up to ${transactionsWord(r.maxHops)} away.`,
  );
  const stop = params.stopAt ?? ["exchange"];
  if (stop.length)
    out.push(
      `Funds reaching a wallet labelled ${joinWords(stop)} are reported there and not followed further: such a service pools everyone's money, so what it pays out later is not the traced funds.`,
    );
  if (params.minValue !== undefined && BigInt(params.minValue) > 0n)
    out.push(
      `Pieces of the funds smaller than ${String(params.minValue)} base units were treated as clean and not followed.`,
    );
  const t = params.targets;
  if (t && ((t.categories?.length ?? 0) > 0 || (t.addresses?.length ?? 0) > 0))
    out.push(
      `Only paths ending at ${joinWords([...(t.categories ?? []), ...(t.addresses ?? [])])} are reported (a link search).`,
    );
  return out;
}
