/**
 * A JSON-RPC proxy in front of a local node that behaves like the public endpoints adapters meet:
 * methods switched off (no trace_filter / debug_*), eth_getLogs and trace_filter refused over wide
 * block ranges or large results (with the messages real providers send), debug_traceTransaction
 * answered as struct logs whatever tracer is asked (as ganache does), and transport faults (429, 503,
 * hung sockets, resets, cut-short bodies, throttling errors inside a 200).
 */
import http from "node:http";
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

export interface RpcProxyOptions {
  /** Answered with -32601 "Method not found", as nodes without the namespace do. */
  disableMethods?: readonly string[];
  /** eth_getLogs / trace_filter over more blocks than this: "block range too large". */
  maxBlockRange?: number;
  /** eth_getLogs returning more logs than this: "query returned more than N results" with a hint. */
  maxLogResults?: number;
  /**
   * debug_traceTransaction ignores `tracer` and answers struct logs (the node must record steps:
   * anvil --steps-tracing); "struct-logs-without-stack" drops each step's stack, "struct-logs-empty"
   * answers no steps at all (a node that did not record them).
   */
  debugTraceAs?: "struct-logs" | "struct-logs-without-stack" | "struct-logs-empty";
  faults?: EvmFaultConfig;
  port?: number;
}

export interface RpcProxyStats {
  /** HTTP requests received. */
  httpRequests: number;
  /** JSON-RPC calls received (a batch of n counts n), faulted or not. */
  calls: number;
  /** Calls answered per method (refusals included). */
  byMethod: Record<string, number>;
  /** Calls refused for their range or result size. */
  refused: number;
  faulted: number;
  faultsByKind: Record<EvmFaultKind, number>;
}

export interface RpcProxy {
  url: string;
  readonly stats: RpcProxyStats;
  setFaults(f: EvmFaultConfig | null): void;
  setOptions(o: Omit<RpcProxyOptions, "faults" | "port">): void;
  resetStats(): void;
  close(): Promise<void>;
}

interface Call {
  jsonrpc?: string;
  id: number | string | null;
  method: string;
  params?: unknown[];
}

const emptyStats = (): RpcProxyStats => ({
  httpRequests: 0,
  calls: 0,
  byMethod: {},
  refused: 0,
  faulted: 0,
  faultsByKind: emptyFaultCounts(),
});

export async function startRpcProxy(
  target: string | { url: string },
  opts: RpcProxyOptions = {},
): Promise<RpcProxy> {
  const upstream = typeof target === "string" ? target : target.url;
  let o: Omit<RpcProxyOptions, "faults" | "port"> = { ...opts };
  const faults = new FaultInjector();
  faults.set(opts.faults ?? null);
  const stats = emptyStats();
  const held = new Set<Held>();

  const forward = async (calls: Call[]): Promise<unknown[]> => {
    if (calls.length === 0) return [];
    const res = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        calls.map((c, i) => ({ jsonrpc: "2.0", id: i, method: c.method, params: c.params ?? [] })),
      ),
    });
    const out = (await res.json()) as { id: number }[];
    return calls.map((_, i) => out.find((r) => r.id === i));
  };

  const span = (c: Call): number | undefined => {
    const f = (c.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string };
    if (!f.fromBlock || !f.toBlock || !/^0x/.test(f.fromBlock) || !/^0x/.test(f.toBlock)) return undefined;
    return Number(f.toBlock) - Number(f.fromBlock) + 1;
  };

  /** What is asked of the node: struct logs instead of the callTracer when so configured. */
  const asked = (c: Call): Call =>
    o.debugTraceAs && c.method === "debug_traceTransaction" ? { ...c, params: [c.params?.[0], {}] } : c;

  /** The node's answer as this proxy passes it on. */
  const answered = (c: Call, r: { result?: unknown; error?: unknown } | undefined) => {
    const logs = (r?.result as { structLogs?: { stack?: unknown }[] } | undefined)?.structLogs;
    if (c.method !== "debug_traceTransaction" || !Array.isArray(logs)) return r;
    if (o.debugTraceAs === "struct-logs-empty")
      return { ...r, result: { ...(r!.result as object), structLogs: [] } };
    if (o.debugTraceAs === "struct-logs-without-stack")
      return { ...r, result: { ...(r!.result as object), structLogs: logs.map(({ stack: _s, ...l }) => l) } };
    return r;
  };

  async function answer(calls: Call[]): Promise<unknown[]> {
    const out: unknown[] = new Array(calls.length);
    const pass: number[] = [];
    for (const [i, c] of calls.entries()) {
      stats.byMethod[c.method] = (stats.byMethod[c.method] ?? 0) + 1;
      const err = (code: number, message: string) => {
        out[i] = { jsonrpc: "2.0", id: c.id, error: { code, message } };
      };
      const s = span(c);
      if (o.disableMethods?.includes(c.method)) err(-32601, "Method not found");
      else if (
        (c.method === "eth_getLogs" || c.method === "trace_filter") &&
        s !== undefined &&
        o.maxBlockRange &&
        s > o.maxBlockRange
      ) {
        stats.refused++;
        err(-32005, `block range too large: ${s} blocks, at most ${o.maxBlockRange} allowed`);
      } else pass.push(i);
    }
    const results = await forward(pass.map((i) => asked(calls[i]!)));
    pass.forEach((i, k) => {
      const c = calls[i]!;
      const r = answered(c, results[k] as { result?: unknown; error?: unknown } | undefined);
      if (
        c.method === "eth_getLogs" &&
        o.maxLogResults &&
        Array.isArray(r?.result) &&
        r.result.length > o.maxLogResults
      ) {
        // Infura's wording, with the range that would fit (up to the block before the first log too many).
        const logs = r.result as { blockNumber: string }[];
        const f = (c.params?.[0] ?? {}) as { fromBlock: string };
        const from = Number(f.fromBlock);
        const cut = Math.max(from, Number(logs[o.maxLogResults]!.blockNumber) - 1);
        stats.refused++;
        out[i] = {
          jsonrpc: "2.0",
          id: c.id,
          error: {
            code: -32005,
            message: `query returned more than ${o.maxLogResults} results. Try with this block range [0x${from.toString(16)}, 0x${cut.toString(16)}].`,
          },
        };
        return;
      }
      out[i] = { ...(r ?? {}), jsonrpc: "2.0", id: c.id };
    });
    return out;
  }

  const server = http.createServer((req, res) => {
    stats.httpRequests++;
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      let parsed: Call | Call[];
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Call | Call[];
      } catch {
        res
          .writeHead(400, { "Content-Type": "application/json" })
          .end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
        return;
      }
      const batch = Array.isArray(parsed);
      const calls = batch ? (parsed as Call[]) : [parsed as Call];
      stats.calls += calls.length;
      const send = (body: unknown[]) => {
        const text = JSON.stringify(batch ? body : body[0]);
        res
          .writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
          .end(text);
      };
      const fault = faults.pick(calls.map((c) => c.method).join(","));
      if (fault) {
        stats.faulted++;
        stats.faultsByKind[fault]++;
        if (fault === "ratelimit") {
          send(
            calls.map((c) => ({
              jsonrpc: "2.0",
              id: c.id,
              error: { code: 429, message: "Too Many Requests: rate limit exceeded" },
            })),
          );
          return;
        }
        if (fault === "truncated") {
          answer(calls).then(
            (body) => {
              const text = JSON.stringify(batch ? body : body[0]);
              sendTransportFault("truncated", faults.config, req, res, held, () => ({
                status: 200,
                contentType: "application/json",
                body: text,
              }));
            },
            () => req.socket.destroy(),
          );
          return;
        }
        sendTransportFault(fault, faults.config, req, res, held, () => ({
          status: 500,
          contentType: "text/plain",
          body: "",
        }));
        return;
      }
      answer(calls).then(send, (e) => {
        const text = JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32603, message: String(e).slice(0, 200) },
        });
        res.writeHead(502, { "Content-Type": "application/json" }).end(text);
      });
    });
  });

  const listening = await listen(server, { port: opts.port, dropConnections: true });
  const port = listening.port;
  return {
    url: `http://127.0.0.1:${port}`,
    get stats() {
      return stats;
    },
    setFaults: (f) => faults.set(f),
    setOptions(n) {
      o = { ...n };
    },
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    close() {
      releaseHeld(held);
      return listening.close();
    },
  };
}
