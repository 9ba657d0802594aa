/**
 * TronGrid and java-tron over the shared transport: exact JSON (./json.ts), schema checks, and what
 * their answers mean.
 * - java-tron answers errors with HTTP 200 and `{"Error": "…"}`; a "frequency limit" message (TronGrid's
 *   rate limit on the node API), like TronGrid's 403 "frequency limit", is retried like a 429;
 *   anything else is an upstream error.
 * - "not found" is `{}` (a transaction or block the chain does not have).
 * - Node calls go as GET with the query string (java-tron takes both): every answer is logged for
 *   evidence like any GET; what cannot change and is asked again (a TRC-10's metadata, a confirmed
 *   block's hash, list pages behind a fingerprint) is also kept and answered from the store.
 */
import type { z } from "zod";
import { BadInputError, UpstreamError } from "../../src/errors.ts";
import { memo } from "../memo.ts";
import type { FailureInfo } from "../retry.ts";
import { RedactedCause, type Transport, UpstreamAnswerError } from "../transport.ts";
import { parseTronJson } from "./json.ts";
import { AssetIssue, Block, TxInfo, V1Page } from "./schemas.ts";

const FREQUENCY = /frequency limit|exceeds the frequency|rate limit/i;

/** A 200 answer that says "slow down" (java-tron's `{"Error": …}` or TronGrid's 403 text inside a 200). */
export function tronThrottle(body: string): FailureInfo | undefined {
  return body.length < 2000 && FREQUENCY.test(body) ? { throttled: true } : undefined;
}

/** TronGrid's rate-limit answer: HTTP 403 `{"success": false, "error": "The key exceeds the frequency limit(15), …"}`. */
export function tronRefused(status: number, body: string): FailureInfo | undefined {
  return status === 403 && FREQUENCY.test(body.slice(0, 2000)) ? { status, throttled: true } : undefined;
}

export interface Trc10Meta {
  symbol: string | null;
  decimals: number | null;
}

export class TronApi {
  constructor(
    readonly id: string,
    readonly transport: Transport,
  ) {}

  /** An UpstreamError of this source, its cause scrubbed of the key. */
  error(message: string, cause: unknown): UpstreamError {
    const scrub = (s: string) => this.transport.scrub(s);
    return new UpstreamError(this.id, scrub(message), { cause: new RedactedCause(cause, scrub) });
  }

  parse<S extends z.ZodType>(schema: S, v: unknown, what: string): z.output<S> {
    const r = schema.safeParse(v);
    if (!r.success) {
      const i = r.error.issues[0];
      throw this.error(`unexpected ${what}: ${i?.path.join(".")}: ${i?.message}`, r.error);
    }
    return r.data;
  }

  /** A GET answered with JSON, parsed exactly; 401 means the key was refused. */
  private async getJson(
    path: string,
    query: Record<string, string | number | undefined>,
    o: { keep?: boolean; what: string },
  ): Promise<unknown> {
    let r: Awaited<ReturnType<Transport["request"]>>;
    try {
      r = await this.transport.request(path, {
        query,
        json: true,
        check: tronThrottle,
        refused: tronRefused,
        store: o.keep ?? false,
        reuse: o.keep ?? false,
      });
    } catch (e) {
      if (e instanceof UpstreamError && e.status === 401)
        throw new BadInputError(
          `${this.id}: the API key was refused (HTTP 401)`,
          { cause: e },
          "UNAUTHORIZED",
        );
      throw e;
    }
    const j = parseTronJson(r.body) as Record<string, unknown> | unknown[];
    if (j && !Array.isArray(j) && typeof j === "object" && typeof j.Error === "string")
      throw this.error(
        `${o.what}: ${this.transport.scrub(j.Error).slice(0, 300)}`,
        new UpstreamAnswerError(r.status, j.Error),
      );
    return j;
  }

  /** A java-tron call; `{}` (not found) gives undefined. `keep`: immutable, store it and never ask again. */
  async node(
    path: string,
    params: Record<string, string | number>,
    keep: boolean,
    what: string,
  ): Promise<unknown> {
    const j = await this.getJson(path, params, { keep, what });
    return j && typeof j === "object" && !Array.isArray(j) && Object.keys(j).length === 0 ? undefined : j;
  }

  async txInfo(txid: string): Promise<TxInfo | undefined> {
    const j = await this.node(
      "/wallet/gettransactioninfobyid",
      { value: txid },
      true,
      `transaction info ${txid}`,
    );
    return j === undefined ? undefined : this.parse(TxInfo, j, `transaction info ${txid}`);
  }

  /** Every transaction info of a block, in block order (the index is the transaction's place in the block). */
  async blockInfos(num: number): Promise<TxInfo[]> {
    const j = await this.node("/wallet/gettransactioninfobyblocknum", { num }, false, `block ${num} infos`);
    if (j === undefined) return [];
    if (!Array.isArray(j)) throw this.error(`block ${num} infos: not a list`, new Error(typeof j));
    return j.map((x) => this.parse(TxInfo, x, `block ${num} transaction info`));
  }

  async block(num: number, keep: boolean): Promise<Block | undefined> {
    const j = await this.node("/wallet/getblockbynum", { num }, keep, `block ${num}`);
    return j === undefined ? undefined : this.parse(Block, j, `block ${num}`);
  }

  /** A block's time in Unix seconds (kept: a search by time asks the same blocks again). */
  readonly blockTime = memo(async (num: number): Promise<number> => {
    const b = await this.block(num, false);
    if (!b) throw this.error(`no block ${num}`, new Error("{}"));
    return Math.floor(b.block_header.raw_data.timestamp / 1000);
  });

  async nowBlock(path: "/wallet/getnowblock" | "/walletsolidity/getnowblock"): Promise<Block> {
    const j = await this.node(path, {}, false, "the tip");
    if (j === undefined) throw this.error("the tip: empty answer", new Error("{}"));
    return this.parse(Block, j, "tip block");
  }

  /** A TRC-10 token's symbol (abbr) and precision. */
  async trc10(id: string): Promise<Trc10Meta> {
    const j = await this.node("/wallet/getassetissuebyid", { value: id }, true, `TRC-10 ${id}`);
    if (j === undefined) return { symbol: null, decimals: null };
    const a = this.parse(AssetIssue, j, `TRC-10 ${id}`);
    const text = (h: string | undefined) =>
      h && /^[0-9a-f]*$/i.test(h) ? Buffer.from(h, "hex").toString("utf8") : (h ?? null);
    return { symbol: text(a.abbr) || text(a.name) || null, decimals: a.precision ?? 0 };
  }

  /** One page of a v1 list. */
  async page(path: string, query: Record<string, string | number | undefined>, keep: boolean) {
    const j = await this.getJson(path, query, { keep, what: path });
    return this.parse(V1Page, j, `${path} page`);
  }
}
