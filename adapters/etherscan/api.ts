/** The `module=…&action=…` envelope over the shared transport: throttling, typed errors, schema checks. */
import type { z } from "zod";
import { BadInputError, UpstreamError } from "../../src/errors.ts";
import { hexToNumber } from "../evm/encoding.ts";
import type { FailureInfo } from "../retry.ts";
import {
  type Answer,
  RedactedCause,
  type RequestOptions,
  type Transport,
  UpstreamAnswerError,
} from "../transport.ts";
import type { Dialect } from "./dialects.ts";
import type { Envelope } from "./schemas.ts";

/** Etherscan (and Blockscout) say "you are throttled" inside a 200 answer: retry it like a 429. */
export function throttleCheck(body: string): FailureInfo | undefined {
  let j: Envelope;
  try {
    j = JSON.parse(body) as Envelope;
  } catch {
    return undefined;
  }
  if (!j || typeof j !== "object" || j.status !== "0") return undefined;
  const text = `${typeof j.message === "string" ? j.message : ""} ${typeof j.result === "string" ? j.result : ""}`;
  return /rate limit/i.test(text) ? { throttled: true } : undefined;
}

/** "No transactions found", "No internal transactions found", "No token transfers found". */
const NO_RECORDS = /^no .*found$/i;

export class EtherscanApi {
  constructor(
    readonly id: string,
    readonly dialect: Dialect,
    readonly transport: Transport,
    private readonly secretQuery: Record<string, string> | undefined,
    readonly log: (line: string) => void,
  ) {}

  /** One module/action request; the dialect adds what it needs (Etherscan v2: chainid). */
  async envelope(
    module: string,
    action: string,
    params: Record<string, string | number>,
    o: { store?: boolean; reuse?: boolean } = {},
  ): Promise<{ j: Envelope; url: string }> {
    const r = await this.transport.getJson<Envelope>(this.dialect.apiPath, {
      query: { ...this.dialect.query(module, action), ...params },
      secretQuery: this.secretQuery,
      check: throttleCheck,
      store: o.store ?? false,
      reuse: o.reuse ?? false,
    });
    const j = r.data ?? {};
    // An empty listing comes as status "0" with a "No … found" message; a few answer null instead of [].
    if (j.status === "0" && typeof j.message === "string" && NO_RECORDS.test(j.message) && !j.result)
      return { j: { ...j, result: [] }, url: r.url };
    return { j, url: r.url };
  }

  /** A hex quantity answered in `result` (a block number). */
  async quantity(module: string, action: string, what: string): Promise<number> {
    const { j } = await this.envelope(module, action, {});
    if (typeof j.result !== "string" || !/^0x[0-9a-fA-F]+$/.test(j.result)) throw this.failure(what, j);
    return hexToNumber(j.result);
  }

  /** A REST path (Blockscout's /api/v2/…), throttling checked like the envelope. */
  rest<T>(path: string, o: Omit<RequestOptions, "check"> = {}): Promise<Answer & { data: T | undefined }> {
    return this.transport.getJson<T>(path, { ...o, check: throttleCheck });
  }

  /** Turns an error envelope into a typed error; "timeout" when the API asks for a smaller query. */
  envelopeError(what: string, j: Envelope): Error | "timeout" {
    const msg = typeof j.message === "string" ? j.message : "";
    const res = typeof j.result === "string" ? j.result : "";
    const text = this.transport.scrub([msg, res].filter(Boolean).join(": ").slice(0, 300));
    const cause = new UpstreamAnswerError(200, text);
    if (/api[ -]?key/i.test(text))
      return new BadInputError(`${this.id}: the API key was refused (${text})`, { cause }, "UNAUTHORIZED");
    if (/invalid address/i.test(text))
      return new BadInputError(`${this.id}: ${what}: ${text}`, { cause }, "INVALID_ADDRESS");
    if (/timeout|timed out/i.test(text)) return "timeout";
    return this.error(`${what}: ${text || "unexpected answer"}`, cause);
  }

  /** What an error envelope means, as an error to throw (a query timeout included). */
  failure(what: string, j: Envelope): Error {
    const err = this.envelopeError(what, j);
    return err === "timeout"
      ? this.error(`${what} timed out`, new UpstreamAnswerError(200, "query timeout"))
      : err;
  }

  parse<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
    const r = schema.safeParse(v);
    if (!r.success) {
      const i = r.error.issues[0];
      throw this.error(`unexpected ${what} record: ${i?.path.join(".")}: ${i?.message}`, r.error);
    }
    return r.data;
  }

  /** An UpstreamError of this source, its cause scrubbed of the key. */
  error(message: string, cause: unknown): UpstreamError {
    const scrub = (s: string) => this.transport.scrub(s);
    return new UpstreamError(this.id, scrub(message), { cause: new RedactedCause(cause, scrub) });
  }
}
