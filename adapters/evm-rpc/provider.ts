/**
 * JSON-RPC calls: ethers v6's JsonRpcProvider for batching, ids and error decoding, sending every HTTP
 * request through the shared transport (rate, retries, classification, logged answers). Calls issued
 * together go out as one JSON-RPC batch; throttling errors inside a 200 answer are retried like a 429.
 */
import { type JsonRpcPayload, JsonRpcProvider, type JsonRpcResult, type Network } from "ethers";
import { FundtraceError, UpstreamError } from "../../src/errors.ts";
import type { FailureInfo } from "../retry.ts";
import { RedactedCause, type Transport } from "../transport.ts";

/** A JSON-RPC error answer (the node understood the call and refused it). */
export class RpcError extends UpstreamError {
  readonly rpcCode: number | undefined;
  readonly rpcMessage: string;
  constructor(source: string, method: string, code: number | undefined, message: string, cause: unknown) {
    super(source, `${method}: ${message}${code === undefined ? "" : ` (${code})`}`, { cause });
    this.rpcCode = code;
    this.rpcMessage = message;
  }
}

const RANGE_REFUSED =
  /more than \d+ results|block range|range (is )?too (large|wide|big)|range limit|limited to .*range|response size|too many (results|logs|blocks)|exceeds? (the )?(max|maximum|limit)|query timeout|timed? ?out/i;
const THROTTLED = /rate limit|too many requests|requests per second|capacity exceeded|throttl/i;
const NOT_SUPPORTED =
  /method not found|does not exist|not supported|not available|unsupported|not enabled|unknown method/i;

export const isRangeRefusal = (e: unknown): e is RpcError =>
  e instanceof RpcError && RANGE_REFUSED.test(e.rpcMessage);
export const isUnsupported = (e: unknown): e is RpcError =>
  e instanceof RpcError && (e.rpcCode === -32601 || NOT_SUPPORTED.test(e.rpcMessage));

/** A throttling error inside a 200 answer (any call of a batch): retried like a 429. */
export function rpcThrottleCheck(body: string): FailureInfo | undefined {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return undefined;
  }
  const answers = (Array.isArray(j) ? j : [j]) as { error?: { code?: number; message?: string } }[];
  const throttled = answers.some(
    (r) => r?.error && (r.error.code === 429 || THROTTLED.test(String(r.error.message ?? ""))),
  );
  return throttled ? { throttled: true } : undefined;
}

/** Secrets a node URL may carry (Infura/Alchemy keys in the path, tokens in the query, basic auth). */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const parts = [...u.pathname.split("/"), ...u.searchParams.values(), u.username, u.password];
    return parts.filter((p) => p.length >= 16 || (p.length >= 4 && (p === u.username || p === u.password)));
  } catch {
    return [];
  }
}

/** ethers' provider with the transport underneath: `_send` is the only HTTP exchange. */
class TransportProvider extends JsonRpcProvider {
  constructor(
    private readonly transport: Transport,
    network: Network,
    batchMaxCount: number,
  ) {
    super(transport.publicUrl(""), network, {
      staticNetwork: network,
      batchMaxCount,
      batchStallTime: 5,
      cacheTimeout: -1,
    });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const calls = Array.isArray(payload) ? payload : [payload];
    const r = await this.transport.request("", {
      body: JSON.stringify(payload),
      weight: calls.length,
      label: [...new Set(calls.map((p) => p.method))].join(","),
      json: true,
      check: rpcThrottleCheck,
    });
    // ethers declares results only, but passes error answers through the same array.
    const answer = JSON.parse(r.body) as JsonRpcResult | JsonRpcResult[];
    return Array.isArray(answer) ? answer : [answer];
  }
}

export interface RpcCaller {
  call<T>(method: string, params: unknown[]): Promise<T>;
  destroy(): void;
}

/** `call(method, params)`: the result, an RpcError for an error answer, the transport's error otherwise. */
export function rpcCaller(
  source: string,
  transport: Transport,
  network: Network,
  batchMaxCount: number,
): RpcCaller {
  const provider = new TransportProvider(transport, network, batchMaxCount);
  const scrub = (s: string) => transport.scrub(s);
  return {
    async call<T>(method: string, params: unknown[]): Promise<T> {
      try {
        return (await provider.send(method, params)) as T;
      } catch (e) {
        if (e instanceof FundtraceError) throw e;
        type Raw = { code?: number; message?: string };
        const x = e as { error?: Raw; info?: { error?: Raw } };
        const raw = x.error ?? x.info?.error;
        const msg = raw?.message ?? (e as Error).message ?? String(e);
        throw new RpcError(
          source,
          method,
          raw?.code,
          scrub(String(msg)).slice(0, 300),
          new RedactedCause(e, scrub),
        );
      }
    },
    destroy: () => provider.destroy(),
  };
}
