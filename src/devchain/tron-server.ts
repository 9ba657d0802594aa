/**
 * A local TronGrid-compatible server over a TronDevChain, for tests, the bench and the demo.
 *
 * TronGrid v1: `/v1/accounts/:a` (balances), `/v1/accounts/:a/transactions` (transaction items and
 * bare internal-transaction rows), `/v1/accounts/:a/transactions/trc20` (token_info, no block number),
 * `/v1/transactions/:id/events`; paging by `fingerprint` with `meta.links.next`, `limit` ≤ 200,
 * `only_confirmed`, `min_timestamp`/`max_timestamp`, `order_by=block_timestamp,asc|desc`.
 * java-tron HTTP (GET with query or POST with a JSON body): `/wallet/getnowblock`,
 * `/walletsolidity/getnowblock`, `/wallet/getblockbynum`, `/wallet/gettransactioninfobyid`,
 * `/wallet/gettransactioninfobyblocknum`, `/wallet/getassetissuebyid`; unknown → `{}`; errors with
 * HTTP 200 and `{"Error": …}` as java-tron does.
 *
 * Items with the same block timestamp come in an order of their own (a seeded shuffle): TronGrid
 * documents none, so a client must never take the list's order for the order inside a block.
 * Fault injection is the shared injector (./evm-faults.ts): 429 (with Retry-After when set), 503,
 * hung sockets, resets, truncated bodies.
 */
import http from "node:http";
import bs58 from "bs58check";
import { AbiCoder } from "ethers";
import { normalizeAddress, tronFromHex } from "../chains.ts";
import { listen } from "../listen.ts";
import {
  type EvmFaultConfig,
  type EvmFaultKind,
  emptyFaultCounts,
  FaultInjector,
  type Held,
  releaseHeld,
  sendTransportFault,
} from "./evm-faults.ts";
import type { TronDevChain } from "./tron.ts";
import { account, block, events, logTouches, txInfo, v1InternalRow, v1Trc20, v1Tx } from "./tron-answers.ts";
import { sha256Hex } from "./tron-proto.ts";

/** "ratelimit" is TronGrid's own answer: HTTP 403 with its "frequency limit" body. */
export type TronFaultKind = EvmFaultKind;
const FAULT_KINDS: readonly TronFaultKind[] = ["429", "503", "timeout", "reset", "truncated", "ratelimit"];
const RATE_LIMIT_403 = {
  success: false,
  error: "The key exceeds the frequency limit(15), and the query server is suspended for 30s",
  statusCode: 403,
};
export type TronFaultConfig = Omit<EvmFaultConfig, "kinds" | "schedule"> & {
  kinds?: readonly TronFaultKind[];
  schedule?: readonly (TronFaultKind | null)[];
};

export const TRONGRID_MAX_LIMIT = 200;
const DEFAULT_LIMIT = 20;

export interface TronServerOptions {
  port?: number;
  /** When set, a request carrying another TRON-PRO-API-KEY gets 401 (a missing key is allowed). */
  apiKey?: string;
  faults?: TronFaultConfig;
  latencyMs?: number;
  /** Give `detail` in TRC-20 items when asked get_detail=true (default true; not every host does). */
  getDetail?: boolean;
}

export interface TronRequestEntry {
  method: string;
  /** Path with query string (and the POST body after a space). */
  path: string;
  route: string;
  outcome: "served" | TronFaultKind;
  status?: number;
  /** The TRON-PRO-API-KEY header was sent. */
  keyed: boolean;
}

export interface TronServerStats {
  total: number;
  served: number;
  faulted: number;
  byRoute: Record<string, number>;
  faultsByKind: Record<string, number>;
  requests: TronRequestEntry[];
}

export interface TronServer {
  url: string;
  readonly chain: TronDevChain;
  readonly stats: TronServerStats;
  setFaults(f: TronFaultConfig | null): void;
  resetStats(): void;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  body: unknown;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const v1Error = (status: number, error: string): Answer => ({
  status,
  body: { success: false, error, statusCode: status },
});

/** Serialises answers with bigints as JSON numbers, like java-tron's int64 fields. */
const json = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `\u0000big${x}` : x)).replace(
    /"\\u0000big(-?[0-9]+)"/g,
    "$1",
  );

const emptyStats = (): TronServerStats => ({
  total: 0,
  served: 0,
  faulted: 0,
  byRoute: {},
  faultsByKind: emptyFaultCounts(),
  requests: [],
});

/** A list item with where it sorts: block timestamp, then a seeded tie-break (TronGrid gives no order inside a block). */
interface Listed {
  ts: number;
  tie: string;
  item: unknown;
}

function account58(raw: string): string {
  try {
    return normalizeAddress("tron", decodeURIComponent(raw));
  } catch (e) {
    throw new ApiError(400, `A valid account address is required. (${(e as Error).message})`);
  }
}

/** An account's list items, built once per chain height (pages of one walk share them). */
const built = new WeakMap<TronDevChain, Map<string, Listed[]>>();

function itemsOf(chain: TronDevChain, a: string, kind: "transactions" | "trc20", detail: boolean): Listed[] {
  const m = built.get(chain) ?? new Map<string, Listed[]>();
  built.set(chain, m);
  const key = `${a}|${kind}|${detail}|${chain.blocks.length}`;
  let items = m.get(key);
  if (!items) {
    if (m.size > 64) m.clear();
    items = buildItems(chain, a, kind, detail);
    m.set(key, items);
  }
  return items;
}

function buildItems(
  chain: TronDevChain,
  a: string,
  kind: "transactions" | "trc20",
  detail: boolean,
): Listed[] {
  const out: Listed[] = [];
  const tie = (s: string) => sha256Hex(`${chain.seed}:order:${s}`);
  for (const b of chain.blocks)
    for (const t of b.txs) {
      if (kind === "transactions") {
        if (t.parties.includes(a)) out.push({ ts: t.timestamp, tie: tie(t.txID), item: v1Tx(t) });
        for (const i of t.internals)
          if (i.from === a || i.to === a)
            out.push({ ts: t.timestamp, tie: tie(i.hash), item: v1InternalRow(t, i) });
      } else if (t.contractRet === "SUCCESS") {
        for (const [n, l] of t.logs.entries())
          if (logTouches(l, a))
            out.push({ ts: t.timestamp, tie: tie(`${t.txID}:${n}`), item: v1Trc20(chain, t, l, detail) });
      }
    }
  return out;
}

/** A query's filters, hashed into its fingerprints: a fingerprint only continues the query that made it. */
function filtersOf(path: string, q: URLSearchParams): string {
  const keep = ["only_confirmed", "only_unconfirmed", "min_timestamp", "max_timestamp", "order_by"];
  return sha256Hex(`${path}?${keep.map((k) => `${k}=${q.get(k) ?? ""}`).join("&")}`).slice(0, 16);
}

function listPage(
  chain: TronDevChain,
  base: string,
  path: string,
  q: URLSearchParams,
  a: string,
  kind: "transactions" | "trc20",
  getDetail: boolean,
): Answer {
  const limit = q.has("limit") ? Number(q.get("limit")) : DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return v1Error(400, "limit must be a positive integer");
  if (limit > TRONGRID_MAX_LIMIT)
    return v1Error(400, `limit must be less than or equal to ${TRONGRID_MAX_LIMIT}`);
  const confirmed = q.get("only_confirmed") === "true";
  const unconfirmed = q.get("only_unconfirmed") === "true";
  if (confirmed && unconfirmed)
    return v1Error(400, "only_confirmed and only_unconfirmed cannot be used together");
  const order = q.get("order_by") ?? "block_timestamp,desc";
  if (order !== "block_timestamp,desc" && order !== "block_timestamp,asc")
    return v1Error(400, `unsupported order_by ${order}`);
  const min = Number(q.get("min_timestamp") ?? 0);
  const max = Number(q.get("max_timestamp") ?? Number.MAX_SAFE_INTEGER);
  const solid = chain.solidHead.timestamp;
  const filters = filtersOf(path, q);
  let items = itemsOf(chain, a, kind, getDetail && q.get("get_detail") === "true").filter(
    (x) => x.ts >= min && x.ts <= max && (!confirmed || x.ts <= solid) && (!unconfirmed || x.ts > solid),
  );
  const asc = order.endsWith("asc");
  const cmp = (x: { ts: number; tie: string }, y: { ts: number; tie: string }) =>
    (x.ts - y.ts || (x.tie < y.tie ? -1 : x.tie > y.tie ? 1 : 0)) * (asc ? 1 : -1);
  items.sort(cmp);
  const fp = q.get("fingerprint");
  if (fp) {
    let key: { ts: number; tie: string; f: string };
    try {
      key = JSON.parse(Buffer.from(bs58.decode(fp)).toString("utf8"));
    } catch {
      return v1Error(400, "invalid fingerprint");
    }
    if (key.f !== filters)
      return v1Error(400, "the fingerprint belongs to another query: keep the filters unchanged");
    items = items.filter((x) => cmp(x, key) > 0);
  }
  const page = items.slice(0, limit);
  const meta: Record<string, unknown> = { at: Date.now(), page_size: page.length };
  if (items.length > limit) {
    const last = page[page.length - 1]!;
    const next = bs58.encode(Buffer.from(JSON.stringify({ ts: last.ts, tie: last.tie, f: filters })));
    const nq = new URLSearchParams(q);
    nq.set("fingerprint", next);
    meta.fingerprint = next;
    meta.links = { next: `${base}${path}?${nq.toString()}` };
  }
  return ok({ data: page.map((x) => x.item), success: true, meta });
}

/** java-tron takes its parameters as a JSON body (POST) or the query string (GET). */
function nodeParam(q: URLSearchParams, body: string, name: string): string | undefined {
  if (body.trim()) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(body);
    } catch (e) {
      throw new ApiError(200, `com.alibaba.fastjson.JSONException : ${(e as Error).message}`);
    }
    const v = j[name];
    return v === undefined ? undefined : String(v);
  }
  return q.get(name) ?? undefined;
}

function nodeNum(q: URLSearchParams, body: string): number {
  const n = Number(nodeParam(q, body, "num") ?? 0);
  if (!Number.isSafeInteger(n)) throw new ApiError(200, "java.lang.NumberFormatException : num");
  return n;
}

function route(
  chain: TronDevChain,
  base: string,
  path: string,
  q: URLSearchParams,
  body: string,
  getDetail: boolean,
): [string, Answer] {
  let m = /^\/v1\/accounts\/([^/]+)(\/transactions(\/trc20)?)?\/?$/.exec(path);
  if (m) {
    const a = account58(m[1]!);
    if (!m[2]) {
      const acc = account(chain, a);
      return [
        "/v1/accounts/:a",
        ok({ data: acc ? [acc] : [], success: true, meta: { at: Date.now(), page_size: acc ? 1 : 0 } }),
      ];
    }
    const kind = m[3] ? "trc20" : "transactions";
    return [
      `/v1/accounts/:a/${m[3] ? "transactions/trc20" : "transactions"}`,
      listPage(chain, base, path, q, a, kind, getDetail),
    ];
  }
  m = /^\/v1\/transactions\/([0-9a-fA-F]{64})\/events\/?$/.exec(path);
  if (m) {
    const t = chain.tx(m[1]!.toLowerCase());
    const data =
      t && (q.get("only_confirmed") !== "true" || t.block <= chain.solidHead.number) ? events(t) : [];
    return [
      "/v1/transactions/:id/events",
      ok({ data, success: true, meta: { at: Date.now(), page_size: data.length } }),
    ];
  }
  switch (path) {
    case "/wallet/getnowblock":
      return [path, ok(block(chain.head))];
    case "/walletsolidity/getnowblock":
      return [path, ok(block(chain.solidHead))];
    case "/wallet/getblockbynum": {
      const b = chain.blocks[nodeNum(q, body)];
      return [path, ok(b ? block(b) : {})];
    }
    case "/wallet/gettransactioninfobyid": {
      const t = chain.tx((nodeParam(q, body, "value") ?? "").toLowerCase());
      return [path, ok(t ? txInfo(t) : {})];
    }
    case "/wallet/gettransactioninfobyblocknum": {
      const n = nodeNum(q, body);
      const b = chain.blocks[n];
      return [path, ok(n <= 0 ? {} : b ? b.txs.map(txInfo) : [])];
    }
    case "/wallet/triggerconstantcontract": {
      const c = chain.tokens.get(tronFromHexSafe(nodeParam(q, body, "contract_address")));
      const fn = nodeParam(q, body, "function_selector");
      if (!c)
        return [
          path,
          ok({ result: { code: "CONTRACT_VALIDATE_ERROR", message: "Smart contract is not exist." } }),
        ];
      const abi = AbiCoder.defaultAbiCoder();
      const out =
        fn === "decimals()"
          ? abi.encode(["uint8"], [c.decimals])
          : fn === "symbol()" || fn === "name()"
            ? abi.encode(["string"], [fn === "name()" ? c.name : c.symbol])
            : undefined;
      if (!out)
        return [path, ok({ result: { code: "CONTRACT_EXE_ERROR", message: "REVERT opcode executed" } })];
      return [path, ok({ result: { result: true }, energy_used: 300, constant_result: [out.slice(2)] })];
    }
    case "/wallet/getassetissuebyid": {
      const t = chain.trc10.get(nodeParam(q, body, "value") ?? "");
      const hex = (s: string) => Buffer.from(s).toString("hex");
      return [
        path,
        ok(
          t
            ? {
                owner_address: normalizeHex(t.owner),
                name: hex(t.name),
                abbr: hex(t.abbr),
                total_supply: 10n ** 15n,
                precision: t.precision,
                id: t.id,
              }
            : {},
        ),
      ];
    }
  }
  throw new ApiError(404, `no route ${path}`);
}

const tronFromHexSafe = (h: string | undefined) => {
  try {
    return tronFromHex(h ?? "");
  } catch {
    return "";
  }
};

const normalizeHex = (a: string) => Buffer.from(bs58.decode(a)).toString("hex");

export async function startTronServer(
  chain: TronDevChain,
  opts: TronServerOptions = {},
): Promise<TronServer> {
  const stats = emptyStats();
  const injector = new FaultInjector(0);
  injector.set(opts.faults ?? null);
  const held = new Set<Held>();
  let base = "";

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const u = new URL(req.url ?? "/", "http://x");
      const key = req.headers["tron-pro-api-key"];
      stats.total++;
      const entry: TronRequestEntry = {
        method: req.method ?? "GET",
        path: `${u.pathname}${u.search}${body ? ` ${body}` : ""}`,
        route: "(pending)",
        outcome: "served",
        keyed: typeof key === "string" && key.length > 0,
      };
      stats.requests.push(entry);
      const compute = (): { status: number; contentType: string; body: string } => {
        if (opts.apiKey && entry.keyed && key !== opts.apiKey)
          return { status: 401, contentType: "application/json", body: json({ Error: "ApiKey not exists" }) };
        try {
          const [r, a] = route(
            chain,
            base,
            u.pathname.replace(/\/+$/, "") || "/",
            u.searchParams,
            body,
            opts.getDetail ?? true,
          );
          entry.route = r;
          return { status: a.status, contentType: "application/json; charset=utf-8", body: json(a.body) };
        } catch (e) {
          if (e instanceof ApiError && e.status === 200)
            return { status: 200, contentType: "application/json", body: json({ Error: e.message }) };
          if (e instanceof ApiError && e.status === 400)
            return { status: 400, contentType: "application/json", body: json(v1Error(400, e.message).body) };
          if (e instanceof ApiError) return { status: e.status, contentType: "text/plain", body: e.message };
          return { status: 500, contentType: "text/plain", body: String(e) };
        }
      };
      const fault = injector.pick(entry.path, FAULT_KINDS) as TronFaultKind | null;
      if (fault) {
        stats.faulted++;
        stats.faultsByKind[fault] = (stats.faultsByKind[fault] ?? 0) + 1;
        entry.outcome = fault;
        if (fault === "ratelimit") {
          const b = json(RATE_LIMIT_403);
          res
            .writeHead(403, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(b) })
            .end(b);
          entry.status = 403;
          return;
        }
        entry.status = sendTransportFault(fault, injector.config, req, res, held, compute);
        return;
      }
      const send = () => {
        const a = compute();
        stats.served++;
        stats.byRoute[entry.route] = (stats.byRoute[entry.route] ?? 0) + 1;
        entry.status = a.status;
        const buf = Buffer.from(a.body);
        res.writeHead(a.status, { "Content-Type": a.contentType, "Content-Length": buf.length }).end(buf);
      };
      if (opts.latencyMs) setTimeout(send, opts.latencyMs);
      else send();
    });
  });
  const listening = await listen(server, { port: opts.port, dropConnections: true });
  base = listening.url;
  return {
    url: listening.url,
    chain,
    get stats() {
      return stats;
    },
    setFaults: (f) => injector.set(f),
    resetStats: () => Object.assign(stats, emptyStats()),
    close() {
      releaseHeld(held);
      return listening.close();
    },
  };
}
