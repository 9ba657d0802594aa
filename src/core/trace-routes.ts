/**
 * Routes from the start to an endpoint, reconstructed only for reported endpoints by following each
 * piece's parents (the outputs, inputs or transfers that fed it; acyclic because it follows time).
 * Best-first by bottleneck (the smallest hop amount on the route, hop amount = the aggregated edge
 * (transaction, from, to, asset)), then by length, so the first routes found are the widest. Work
 * is bounded: fan-in per piece (biggest feeding pieces first) and pops per endpoint. Ties are
 * ordered by the route's text afterwards, once its names are known (`orderRoutes`).
 */
import type { Amount } from "../domain.ts";
import { Heap } from "./trace-heap.ts";
import { bmin, type Finished, type RouteLink } from "./trace-state.ts";

export interface FoundRoute {
  /** Trace order: hop 1 first. */
  links: RouteLink[];
  bottleneck: Amount;
}

interface Chain {
  link: RouteLink;
  next: Chain | null;
}

interface State {
  piece: number;
  chain: Chain | null;
  bottleneck: Amount;
  len: number;
}

const INF = 1n << 512n;

export interface RouteSearchOptions {
  maxPaths: number;
  maxPops: number;
  fanIn: number;
}

export function searchRoutes(
  sweep: Finished,
  pieces: readonly number[],
  opts: RouteSearchOptions,
  cache: Map<number, RouteLink[]>,
): { routes: FoundRoute[]; capped: boolean } {
  const heap = new Heap<State>(
    (a, b) => a.bottleneck > b.bottleneck || (a.bottleneck === b.bottleneck && a.len < b.len),
  );
  for (const p of pieces) heap.push({ piece: p, chain: null, bottleneck: INF, len: 0 });
  const found: FoundRoute[] = [];
  const keys = new Set<string>();
  let capped = false;
  let pops = 0;
  while (heap.size > 0) {
    const s = heap.peek()!;
    if (found.length >= opts.maxPaths && s.bottleneck < found[opts.maxPaths - 1]!.bottleneck) {
      capped = true;
      break;
    }
    heap.pop();
    if (s.piece === -1) {
      const links: RouteLink[] = [];
      for (let c = s.chain; c; c = c.next) links.push(c.link);
      const key = links.map((l) => `${l.txKey}|${l.from}|${l.to}`).join(">");
      if (!keys.has(key)) {
        keys.add(key);
        found.push({ links, bottleneck: s.bottleneck });
      }
      continue;
    }
    if (++pops > opts.maxPops) {
      capped = true;
      break;
    }
    let links = cache.get(s.piece);
    if (!links) {
      links = sweep.links(s.piece).sort((a, b) => (b.weight > a.weight ? 1 : b.weight < a.weight ? -1 : 0));
      cache.set(s.piece, links);
    }
    if (links.length > opts.fanIn) capped = true;
    const n = Math.min(links.length, opts.fanIn);
    for (let k = 0; k < n; k++) {
      const l = links[k]!;
      const nb = bmin(l.amount, s.bottleneck);
      heap.push({ piece: l.prev, chain: { link: l, next: s.chain }, bottleneck: nb, len: s.len + 1 });
    }
  }
  return { routes: found, capped };
}

/**
 * Widest first, then shortest, then by text (so every graph agrees); keeps `maxPaths`.
 * `text` gives a route's text from its names.
 */
export function orderRoutes<T extends { bottleneck: Amount; length: number; text: string }>(
  routes: T[],
  maxPaths: number,
): { kept: T[]; cut: boolean } {
  routes.sort(
    (a, b) =>
      (b.bottleneck > a.bottleneck ? 1 : b.bottleneck < a.bottleneck ? -1 : 0) ||
      a.length - b.length ||
      (a.text < b.text ? -1 : a.text > b.text ? 1 : 0),
  );
  if (routes.length > maxPaths) return { kept: routes.slice(0, maxPaths), cut: true };
  return { kept: routes, cut: false };
}
