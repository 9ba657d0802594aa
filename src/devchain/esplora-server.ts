/**
 * A local Esplora REST server over a DevChain, for tests and demos.
 *
 * Routes, paging, status codes and plain-text error bodies follow Blockstream's electrs (src/rest.rs);
 * the chain may change while the server runs and every request answers from its current state.
 * Fault injection imitates what a public instance does under load: 429/503 answers, hung sockets,
 * connection resets and truncated bodies.
 */
import http from "node:http";
import * as bitcoin from "bitcoinjs-lib";
import bs58check from "bs58check";
import { listen } from "../listen.ts";
import { addressToScript, type DevChain, type EsploraTx, satsToJsonNumber, toHex } from "./bitcoin.ts";
import {
  type EvmFaultConfig,
  FaultInjector,
  type Held,
  releaseHeld,
  sendTransportFault,
} from "./evm-faults.ts";

export type FaultKind = "429" | "503" | "timeout" | "reset" | "truncated";
export const FAULT_KINDS: readonly FaultKind[] = ["429", "503", "timeout", "reset", "truncated"];

/** The shared fault knobs (src/devchain/evm-faults.ts) with Esplora's kinds: it has no 200-body throttle. */
export type FaultConfig = Omit<EvmFaultConfig, "kinds" | "schedule"> & {
  kinds?: readonly FaultKind[];
  schedule?: readonly (FaultKind | null)[];
};

export interface EsploraServerOptions {
  port?: number;
  /** Path prefix, e.g. "/api" as on blockstream.info; default none. */
  basePath?: string;
  faults?: FaultConfig;
  /** Delay before every served answer, to make concurrency observable. */
  latencyMs?: number;
}

export interface RequestLogEntry {
  path: string;
  route: string;
  outcome: "served" | FaultKind;
  status?: number;
}

export interface EsploraServerStats {
  /** Every request received. */
  total: number;
  /** Answered by the API (whatever status it chose). */
  served: number;
  /** Failed on purpose by fault injection. */
  faulted: number;
  /** Served requests per route pattern, e.g. "/tx/:txid". */
  byRoute: Record<string, number>;
  faultedByRoute: Record<string, number>;
  faultsByKind: Record<FaultKind, number>;
  /** Every request path (with query string), in arrival order. */
  paths: string[];
  servedPaths: string[];
  requests: RequestLogEntry[];
  inFlight: number;
  maxInFlight: number;
}

export interface EsploraServer {
  url: string;
  port: number;
  readonly stats: EsploraServerStats;
  setFaults(f: FaultConfig | null): void;
  setLatency(ms: number): void;
  resetStats(): void;
  close(): Promise<void>;
}

// electrs constants (src/rest.rs)
const CHAIN_TXS_PER_PAGE = 25;
const MAX_MEMPOOL_TXS = 50;
const BLOCK_LIMIT = 10;
const TTL_LONG = 157_784_630;
const TTL_SHORT = 10;
const CONF_FINAL = 10;

interface Answer {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  ttl?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (msg: string) => new HttpError(400, msg);
const notFound = (msg: string) => new HttpError(404, msg);

const text = (body: string, ttl = TTL_SHORT): Answer => ({
  status: 200,
  contentType: "text/plain",
  body,
  ttl,
});
const json = (value: unknown, ttl = TTL_SHORT): Answer => ({
  status: 200,
  contentType: "application/json",
  body: JSON.stringify(value),
  ttl,
});

/** Txid/BlockHash::from_str: 64 hex digits, else "Invalid hex string". */
function parseHash(s: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw badRequest("Invalid hex string");
  return s.toLowerCase();
}

/** usize::parse, else "Invalid number". */
function parseUsize(s: string): number {
  if (!/^\+?[0-9]+$/.test(s)) throw badRequest("Invalid number");
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw badRequest("Invalid number");
  return n;
}

/**
 * Address → output script with rust-bitcoin 0.32's ParseError texts (std build: no source suffix)
 * and electrs' own "Address on invalid network".
 */
export function esploraAddressScript(addr: string): { script: string } | { error: string } {
  try {
    return { script: toHex(addressToScript(addr)) };
  } catch {
    // fall through to work out which error rust-bitcoin would report
  }
  try {
    const b = bitcoin.address.fromBech32(addr);
    const hrp = b.prefix.toLowerCase();
    if (hrp === "tb" || hrp === "bcrt") return { error: "Address on invalid network" };
    if (hrp !== "bc") return { error: "tried to parse an unknown hrp" };
    // "bc" with an invalid program: rust-bitcoin's segwit decode fails and it retries as base58.
  } catch {
    // not bech32: legacy path below
  }
  if (addr.length > 50) return { error: "legacy address base58 string" };
  let data: Uint8Array;
  try {
    data = bs58check.decode(addr);
  } catch {
    return { error: "base58 error" };
  }
  if (data.length !== 21) return { error: "legacy address base58 data" };
  if (data[0] === 0x6f || data[0] === 0xc4) return { error: "Address on invalid network" };
  return { error: "legacy address base58 prefix" };
}

function emptyStats(): EsploraServerStats {
  return {
    total: 0,
    served: 0,
    faulted: 0,
    byRoute: {},
    faultedByRoute: {},
    faultsByKind: { "429": 0, "503": 0, timeout: 0, reset: 0, truncated: 0 },
    paths: [],
    servedPaths: [],
    requests: [],
    inFlight: 0,
    maxInFlight: 0,
  };
}

/** Route pattern of a path, as counted in stats; mirrors the dispatch in answer(). */
function routeOf(seg: string[]): string {
  const [a, b, c, d, e] = seg;
  const n = seg.length;
  if (a === "blocks") {
    if (b === "tip" && (c === "hash" || c === "height") && n === 3) return `/blocks/tip/${c}`;
    if (n <= 2) return n === 2 ? "/blocks/:start_height" : "/blocks";
  }
  if (a === "block-height" && n === 2) return "/block-height/:height";
  if (a === "block") {
    if (n === 2) return "/block/:hash";
    if (n === 3 && (c === "status" || c === "txids" || c === "header" || c === "raw" || c === "txs")) {
      return `/block/:hash/${c}`;
    }
    if (n === 4 && c === "txid") return "/block/:hash/txid/:index";
    if (n === 4 && c === "txs") return "/block/:hash/txs/:start_index";
  }
  if (a === "address" || a === "scripthash") {
    const p = a === "address" ? "/address/:address" : "/scripthash/:hash";
    if (n === 2) return p;
    if (n === 3 && (c === "txs" || c === "utxo")) return `${p}/${c}`;
    if (n === 4 && c === "txs" && (d === "chain" || d === "mempool")) return `${p}/txs/${d}`;
    if (n === 5 && c === "txs" && d === "chain" && e !== undefined) return `${p}/txs/chain/:last_seen_txid`;
  }
  if (a === "tx") {
    if (n === 2) return "/tx/:txid";
    if (n === 3 && (c === "hex" || c === "raw" || c === "status" || c === "outspends"))
      return `/tx/:txid/${c}`;
    if (n === 4 && c === "outspend") return "/tx/:txid/outspend/:vout";
  }
  if (a === "mempool" && b === "txids" && n === 2) return "/mempool/txids";
  return "(no route)";
}

/** Answers one GET (already matched to `route`) from the chain's current state, or throws HttpError. */
function answer(chain: DevChain, route: string, seg: string[], rawPath: string): Answer {
  const [a, b, c, d, e] = seg;
  const ttlByHeight = (h: number | undefined) =>
    h !== undefined && chain.tipHeight - h >= CONF_FINAL ? TTL_LONG : TTL_SHORT;
  const block = () => {
    const blk = chain.blockByHash(parseHash(b!));
    if (!blk) throw notFound("Block not found");
    return blk;
  };

  switch (route) {
    case "/blocks/tip/hash":
      return text(chain.tipHash);
    case "/blocks/tip/height":
      return text(String(chain.tipHeight));
    case "/blocks":
    case "/blocks/:start_height": {
      // electrs ignores an unparsable start height and lists from the tip.
      const start = b !== undefined && /^[0-9]+$/.test(b) ? Number(b) : chain.tipHeight;
      if (!chain.blockAtHeight(start)) throw notFound("Block not found");
      const out: unknown[] = [];
      // The anchor block's parent is not part of the chain, so the list stops there.
      for (let h = start; h >= chain.startHeight && out.length < BLOCK_LIMIT; h--) {
        out.push(blockValue(chain, chain.blockAtHeight(h)!.hash));
      }
      return json(out);
    }
    case "/block-height/:height": {
      const h = parseUsize(b!);
      const blk = chain.blockAtHeight(h);
      if (!blk) throw notFound("Block not found");
      return text(blk.hash, ttlByHeight(h));
    }
    case "/block/:hash":
      return json(blockValue(chain, block().hash), TTL_LONG);
    case "/block/:hash/status": {
      const blk = chain.blockByHash(parseHash(b!));
      if (!blk) return json({ in_best_chain: false, height: null, next_best: null });
      const next = chain.blockAtHeight(blk.height + 1);
      return json(
        { in_best_chain: true, height: blk.height, next_best: next ? next.hash : null },
        ttlByHeight(blk.height),
      );
    }
    case "/block/:hash/txids":
      return json(block().txids, TTL_LONG);
    case "/block/:hash/header":
      return text(chain.blockHex(block().hash, true)!, TTL_LONG);
    case "/block/:hash/raw":
      return {
        status: 200,
        contentType: "application/octet-stream",
        body: Buffer.from(chain.blockHex(block().hash)!, "hex"),
        ttl: TTL_LONG,
      };
    case "/block/:hash/txid/:index": {
      const blk = block();
      const i = parseUsize(d!);
      if (i >= blk.txids.length) throw notFound("tx index out of range");
      return text(blk.txids[i]!, TTL_LONG);
    }
    case "/block/:hash/txs":
    case "/block/:hash/txs/:start_index": {
      const blk = block();
      const start = d !== undefined && /^[0-9]+$/.test(d) ? Number(d) : 0;
      if (start % CHAIN_TXS_PER_PAGE !== 0)
        throw badRequest(`start index must be a multiple of ${CHAIN_TXS_PER_PAGE}`);
      if (start >= blk.txids.length) throw badRequest("start index out of range");
      const page = blk.txids.slice(start, start + CHAIN_TXS_PER_PAGE).map((t) => chain.esploraTx(t)!);
      return json(page, ttlByHeight(blk.height));
    }
    case "/tx/:txid": {
      const tx = chain.esploraTx(parseHash(b!));
      if (!tx) throw notFound("Transaction not found");
      return json(tx, ttlByHeight(tx.status.block_height));
    }
    case "/tx/:txid/hex":
    case "/tx/:txid/raw": {
      const txid = parseHash(b!);
      const hex = chain.txHex(txid);
      if (hex === undefined) throw notFound("Transaction not found");
      const ttl = ttlByHeight(chain.txStatus(txid).block_height);
      return c === "hex"
        ? text(hex, ttl)
        : { status: 200, contentType: "application/octet-stream", body: Buffer.from(hex, "hex"), ttl };
    }
    case "/tx/:txid/status": {
      // Unknown txids are not an error here: electrs answers {"confirmed":false}.
      const st = chain.txStatus(parseHash(b!));
      return json(st, ttlByHeight(st.block_height));
    }
    case "/tx/:txid/outspends": {
      const o = chain.outspends(parseHash(b!));
      if (!o) throw notFound("Transaction not found");
      return json(o);
    }
    case "/tx/:txid/outspend/:vout": {
      const txid = parseHash(b!);
      const vout = parseUsize(d!);
      if (vout > 0xffffffff) throw badRequest("Invalid number");
      const o = chain.outspend(txid, vout);
      return json(o, ttlByHeight(o.status?.block_height));
    }
    case "/mempool/txids":
      return json(chain.mempoolTxids());
  }
  if (a === "address" || a === "scripthash") {
    let script: string;
    if (a === "address") {
      const r = esploraAddressScript(b!);
      if ("error" in r) throw badRequest(r.error);
      script = r.script;
    } else {
      if (!/^[0-9a-fA-F]{64}$/.test(b!)) throw badRequest("Invalid scripthash");
      // An unseen script hash simply has no history.
      script = chain.scriptForScripthash(b!.toLowerCase()) ?? "";
    }
    const hist = script ? chain.scriptHistory(script) : { chain: [], mempool: [] };
    const txs = (ids: string[]): EsploraTx[] => ids.map((t) => chain.esploraTx(t)!);
    const sub = route.replace(/^\/(address\/:address|scripthash\/:hash)/, "");
    switch (sub) {
      case "": {
        const s = script ? chain.scriptStats(script) : undefined;
        const zero = {
          funded_txo_count: 0,
          funded_txo_sum: 0,
          spent_txo_count: 0,
          spent_txo_sum: 0,
          tx_count: 0,
        };
        return json({ [a]: b, chain_stats: s?.chain_stats ?? zero, mempool_stats: s?.mempool_stats ?? zero });
      }
      case "/utxo": {
        const list = script ? chain.scriptUtxos(script) : [];
        return json(
          list.map((u) => ({
            txid: u.txid,
            vout: u.vout,
            status: u.status,
            value: satsToJsonNumber(u.value),
          })),
        );
      }
      case "/txs":
        return json([
          ...txs(hist.mempool.slice(0, MAX_MEMPOOL_TXS)),
          ...txs(hist.chain.slice(0, CHAIN_TXS_PER_PAGE)),
        ]);
      case "/txs/mempool":
        return json(txs(hist.mempool.slice(0, MAX_MEMPOOL_TXS)));
      case "/txs/chain":
      case "/txs/chain/:last_seen_txid": {
        // electrs drops an unparsable last_seen_txid; a well-formed but unknown one skips everything.
        const last = e !== undefined && /^[0-9a-fA-F]{64}$/.test(e) ? e.toLowerCase() : undefined;
        let from = 0;
        if (last !== undefined) {
          const i = hist.chain.indexOf(last);
          from = i < 0 ? hist.chain.length : i + 1;
        }
        return json(txs(hist.chain.slice(from, from + CHAIN_TXS_PER_PAGE)));
      }
    }
  }
  throw notFound(`endpoint does not exist ${JSON.stringify(rawPath)}`);
}

/** BlockValue of electrs, field order included. */
function blockValue(chain: DevChain, hash: string): Record<string, unknown> {
  const b = chain.blockByHash(hash)!;
  return {
    id: b.hash,
    height: b.height,
    version: b.version >>> 0,
    timestamp: b.time,
    tx_count: b.txids.length,
    size: b.size,
    weight: b.weight,
    merkle_root: b.merkleRoot,
    previousblockhash: b.prevHash,
    mediantime: chain.medianTimePast(b.height),
    nonce: b.nonce,
    bits: b.bits,
    difficulty: difficulty(b.bits),
  };
}

/** rust-bitcoin's difficulty_float: max target (0xffff << 208) over the block's target. */
function difficulty(bits: number): number {
  const exp = bits >>> 24;
  const mant = bits & 0x007fffff;
  return (0xffff * 2 ** 208) / (mant * 2 ** (8 * (exp - 3)));
}

export async function startEsploraServer(
  chain: DevChain,
  opts: EsploraServerOptions = {},
): Promise<EsploraServer> {
  const basePath = (opts.basePath ?? "").replace(/\/+$/, "");
  const stats = emptyStats();
  const injector = new FaultInjector(0);
  let latencyMs = opts.latencyMs ?? 0;
  const held = new Set<Held>();

  const setFaults = (f: FaultConfig | null) => injector.set(f);
  setFaults(opts.faults ?? null);
  const pickFault = (path: string) => injector.pick(path, FAULT_KINDS) as FaultKind | null;

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const fullPath = q < 0 ? url : url.slice(0, q);
    stats.total++;
    stats.paths.push(url);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        stats.inFlight--;
      }
    };
    res.on("close", finish);

    const inBase = basePath === "" || fullPath === basePath || fullPath.startsWith(`${basePath}/`);
    const path = inBase ? fullPath.slice(basePath.length) || "/" : fullPath;
    // electrs looks at the first five segments only.
    const seg = path.split("/").slice(1, 6);
    const route = inBase && req.method === "GET" ? routeOf(seg) : "(no route)";
    const fault = pickFault(path);
    const entry: RequestLogEntry = { path: url, route, outcome: fault ?? "served" };
    stats.requests.push(entry);
    if (fault) {
      stats.faulted++;
      stats.faultsByKind[fault]++;
      stats.faultedByRoute[route] = (stats.faultedByRoute[route] ?? 0) + 1;
    } else {
      stats.served++;
      stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
      stats.servedPaths.push(url);
    }

    const compute = (): Answer => {
      if (!inBase || req.method !== "GET") {
        return {
          status: 404,
          contentType: "text/plain",
          body: `endpoint does not exist ${JSON.stringify(path)}`,
        };
      }
      try {
        return answer(chain, route, seg, path);
      } catch (err) {
        if (err instanceof HttpError)
          return { status: err.status, contentType: "text/plain", body: err.message };
        return { status: 500, contentType: "text/plain", body: String(err) };
      }
    };
    const headersOf = (a: Answer, len: number): http.OutgoingHttpHeaders => {
      const h: http.OutgoingHttpHeaders = { "Content-Type": a.contentType, "Content-Length": len };
      if (a.status === 200 && a.ttl !== undefined) h["Cache-Control"] = `public, max-age=${a.ttl}`;
      return h;
    };

    if (fault) {
      entry.status = sendTransportFault(fault, injector.config, req, res, held, compute);
      return;
    }
    const send = () => {
      const a = compute();
      const body = Buffer.from(a.body);
      entry.status = a.status;
      res.writeHead(a.status, headersOf(a, body.length)).end(body);
    };
    if (latencyMs > 0) setTimeout(send, latencyMs);
    else send();
  });

  const listening = await listen(server, { port: opts.port, dropConnections: true });
  const port = listening.port;

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    port,
    get stats() {
      return stats;
    },
    setFaults,
    setLatency(ms: number) {
      latencyMs = ms;
    },
    resetStats() {
      // In place, so references the caller holds stay live.
      const inFlight = stats.inFlight;
      Object.assign(stats, emptyStats(), { inFlight, maxInFlight: inFlight });
    },
    close() {
      releaseHeld(held);
      return listening.close();
    },
  };
}
