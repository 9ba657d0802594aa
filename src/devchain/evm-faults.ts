/**
 * Fault injection shared by the local Esplora and Etherscan-compatible servers and the JSON-RPC proxy. Same knobs
 * as the Esplora test server (rate, kinds, seed, schedule, maxFaults, retryAfter, holdMs), plus
 * "ratelimit": Etherscan's HTTP 200 `{"status":"0","message":"NOTOK","result":"Max rate limit reached"}`.
 */
import type http from "node:http";
import type { Socket } from "node:net";

export type EvmFaultKind = "429" | "503" | "timeout" | "reset" | "truncated" | "ratelimit";
export const EVM_FAULT_KINDS: readonly EvmFaultKind[] = [
  "429",
  "503",
  "timeout",
  "reset",
  "truncated",
  "ratelimit",
];

export interface EvmFaultConfig {
  /** Share of eligible requests that fail, 0..1 (drawn from a seeded PRNG). */
  rate?: number;
  /** Kinds to pick from (uniformly); default all. */
  kinds?: readonly EvmFaultKind[];
  seed?: number | string;
  /** Only requests whose target (path+query, or JSON-RPC method) matches one of these can fail. */
  failPaths?: readonly RegExp[];
  /** Exact outcomes for the next eligible requests (null = serve), used before `rate` applies. */
  schedule?: readonly (EvmFaultKind | null)[];
  /** Stop injecting after this many faults. */
  maxFaults?: number;
  /** Sent as Retry-After on 429 answers when set. */
  retryAfter?: number | string;
  /** How long a "timeout" holds the socket before destroying it; default 10 s, capped at 30 s. */
  holdMs?: number;
  /** Body of 429 answers; default "Too Many Requests". */
  body429?: string;
  /** Body of 503 answers; default "Service Unavailable". */
  body503?: string;
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number | string): () => number {
  let a = typeof seed === "number" ? seed >>> 0 : 0;
  if (typeof seed === "string")
    for (const ch of seed) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const emptyFaultCounts = (): Record<EvmFaultKind, number> => ({
  "429": 0,
  "503": 0,
  timeout: 0,
  reset: 0,
  truncated: 0,
  ratelimit: 0,
});

/** Decides, request by request, whether to fail and how. */
export class FaultInjector {
  private cfg: EvmFaultConfig | null = null;
  private rand: () => number;

  /** `defaultSeed` is used when a config names no seed. */
  constructor(private readonly defaultSeed: number | string = 1) {
    this.rand = prng(defaultSeed);
  }
  private schedule: (EvmFaultKind | null)[] = [];
  private injected = 0;

  set(cfg: EvmFaultConfig | null): void {
    this.cfg = cfg;
    this.rand = prng(cfg?.seed ?? this.defaultSeed);
    this.schedule = [...(cfg?.schedule ?? [])];
    this.injected = 0;
  }

  get config(): EvmFaultConfig | null {
    return this.cfg;
  }

  pick(target: string, allowed: readonly EvmFaultKind[] = EVM_FAULT_KINDS): EvmFaultKind | null {
    const c = this.cfg;
    if (!c) return null;
    if (
      c.failPaths &&
      !c.failPaths.some((r) => {
        r.lastIndex = 0; // a /g regex would otherwise alternate between matches
        return r.test(target);
      })
    )
      return null;
    if (c.maxFaults !== undefined && this.injected >= c.maxFaults) return null;
    let kind: EvmFaultKind | null = null;
    if (this.schedule.length > 0) kind = this.schedule.shift() ?? null;
    else if ((c.rate ?? 0) > 0 && this.rand() < (c.rate ?? 0)) {
      const kinds = (c.kinds ?? EVM_FAULT_KINDS).filter((k) => allowed.includes(k));
      if (kinds.length > 0) kind = kinds[Math.floor(this.rand() * kinds.length)]!;
    }
    if (kind && !allowed.includes(kind)) kind = null;
    if (kind) this.injected++;
    return kind;
  }
}

const MAX_HOLD_MS = 30_000;

export interface Held {
  socket: Socket;
  timer: NodeJS.Timeout;
}

/**
 * Answers `res` with the transport-level fault `kind` ("ratelimit" is an answer, not a transport
 * fault, and is left to the caller). `body` computes the real answer for "truncated".
 */
export function sendTransportFault(
  kind: Exclude<EvmFaultKind, "ratelimit">,
  cfg: EvmFaultConfig | null,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  held: Set<Held>,
  body: () => { status: number; contentType: string; body: string | Uint8Array },
): number | undefined {
  switch (kind) {
    case "429": {
      const text = cfg?.body429 ?? "Too Many Requests";
      const h: http.OutgoingHttpHeaders = {
        "Content-Type": "text/plain",
        "Content-Length": Buffer.byteLength(text),
      };
      if (cfg?.retryAfter !== undefined) h["Retry-After"] = String(cfg.retryAfter);
      res.writeHead(429, h).end(text);
      return 429;
    }
    case "503": {
      const text = cfg?.body503 ?? "Service Unavailable";
      res
        .writeHead(503, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text) })
        .end(text);
      return 503;
    }
    case "timeout": {
      const holdMs = Math.min(Math.max(cfg?.holdMs ?? 10_000, 0), MAX_HOLD_MS);
      const socket = req.socket;
      const h: Held = {
        socket,
        timer: setTimeout(() => {
          held.delete(h);
          socket.destroy();
        }, holdMs),
      };
      held.add(h);
      socket.once("close", () => {
        clearTimeout(h.timer);
        held.delete(h);
      });
      return undefined;
    }
    case "reset":
      // RST instead of FIN, so the client sees ECONNRESET.
      req.socket.resetAndDestroy();
      return undefined;
    case "truncated": {
      const a = body();
      const buf = Buffer.from(a.body);
      res.writeHead(a.status, { "Content-Type": a.contentType, "Content-Length": buf.length });
      res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => req.socket.destroy());
      return a.status;
    }
  }
}

export function releaseHeld(held: Set<Held>): void {
  for (const h of held) {
    clearTimeout(h.timer);
    h.socket.destroy();
  }
  held.clear();
}
