/**
 * Path extraction: routes from the start to an endpoint over the piece graph (outputs/inputs/
 * transfers that carry taint; acyclic because it follows time). Best-first by bottleneck (the
 * smallest hop amount on the route, hop amount = the aggregated edge (txid, from, to, asset)),
 * then by length, then by the route's text, so the first paths found are the widest.
 * Work is bounded: fan-in per piece (biggest feeding pieces first) and pops per endpoint.
 */
import type { Amount } from "../domain.ts";
import { bmin, type PathLink, type Propagator } from "./trace-context.ts";
import { Heap } from "./trace-heap.ts";

export interface FoundPath {
  /** Trace order: hop 1 first. */
  links: PathLink[];
  bottleneck: Amount;
}

interface Chain {
  link: PathLink;
  next: Chain | null;
}

interface State {
  piece: number;
  chain: Chain | null;
  bottleneck: Amount;
  len: number;
}

const INF = 1n << 512n;

export interface PathSearchOptions {
  maxPaths: number;
  maxPops: number;
  fanIn: number;
  /** Address text (ties are broken on text, not on ids, so every graph implementation agrees). */
  name: (addr: number) => string;
}

export function searchPaths(
  prop: Propagator,
  pieces: readonly number[],
  opts: PathSearchOptions,
  cache: Map<number, PathLink[]>,
): { paths: FoundPath[]; capped: boolean } {
  const heap = new Heap<State>(
    (a, b) => a.bottleneck > b.bottleneck || (a.bottleneck === b.bottleneck && a.len < b.len),
  );
  for (const p of pieces) heap.push({ piece: p, chain: null, bottleneck: INF, len: 0 });
  const found: FoundPath[] = [];
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
      const links: PathLink[] = [];
      for (let c = s.chain; c; c = c.next) links.push(c.link);
      const key = links.map((l) => `${l.txid}|${l.from}|${l.to}`).join(">");
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
      links = prop.links(s.piece).sort((a, b) => (b.weight > a.weight ? 1 : b.weight < a.weight ? -1 : 0));
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
  const text = new Map(found.map((p) => [p, pathText(p.links, opts.name)]));
  found.sort(
    (a, b) =>
      (b.bottleneck > a.bottleneck ? 1 : b.bottleneck < a.bottleneck ? -1 : 0) ||
      a.links.length - b.links.length ||
      (text.get(a)! < text.get(b)! ? -1 : text.get(a)! > text.get(b)! ? 1 : 0),
  );
  if (found.length > opts.maxPaths) {
    found.length = opts.maxPaths;
    capped = true;
  }
  return { paths: found, capped };
}

function pathText(links: readonly PathLink[], name: (addr: number) => string): string {
  return links.map((l) => `${l.txid}|${name(l.from)}|${name(l.to)}`).join(">");
}
