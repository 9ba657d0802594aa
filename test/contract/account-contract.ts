import { describe, expect, it } from "vitest";
import type { AccountSource } from "../../adapters/source.ts";
import type { AccountTransfer } from "../../src/domain.ts";
import { closeCase, retriesCase } from "./source-cases.ts";

/** What the chain behind a source is known to hold; the suite checks the source reports exactly that. */
export interface AccountFacts {
  tip: { height: number; hash: string };
  /** Addresses whose whole history over [0, tip] is known. */
  addresses: string[];
  expected(address: string): AccountTransfer[];
  /** A native transfer above 2^53 (10^24 wei) to `bigValue.to`. */
  bigValue: { txid: string; to: string; value: bigint };
  /** A reverted transaction with value, sent by `failed.from`. */
  failed: { txid: string; from: string };
  /** An address whose history is larger than the source's record window. */
  windowAddress: string;
  /** The record window the source was configured with, when it has one. */
  recordWindow?: number;
  /** How rows write an address; default lower-case (EVM hex). Tron keeps base58 as is (case-sensitive). */
  addressForm?: (address: string) => string;
}

export interface AccountContractContext {
  source: AccountSource;
  facts: AccountFacts;
  /** Requests the upstream saw, in the unit the source counts; the "counts" case compares the two. */
  upstreamRequests?: () => number;
  /** Row fields this source cannot know, with the reason: compared as null. */
  unknownFields?: Partial<Record<keyof AccountTransfer, string>>;
  /** Makes the next upstream request fail with a 503 (the "retries" case). */
  failNext: () => void;
  /** A second source configured like `source` (the close case closes it). */
  fresh: () => AccountSource;
}

export type AccountCase =
  | "tip"
  | "blockHash"
  | "transfers"
  | "bigValue"
  | "failedTx"
  | "fees"
  | "window"
  | "ranges"
  | "timeWindow"
  | "counts"
  | "retries"
  | "badAddress"
  | "close";

/**
 * The one contract suite every account-model adapter runs. Known gaps are skipped by name with a
 * reason, so a gap is visible in the test report instead of silently missing.
 */
export function accountSourceContract(
  name: string,
  setup: () => Promise<AccountContractContext>,
  skip: Partial<Record<AccountCase, string>> = {},
): void {
  describe(`account source contract: ${name}`, () => {
    let ctx: Promise<AccountContractContext> | undefined;
    const get = () => {
      ctx ??= setup();
      return ctx;
    };
    const test = (c: AccountCase, title: string, fn: () => Promise<void>) =>
      skip[c] ? it.skip(`${title} (skipped: ${skip[c]})`, fn) : it(title, fn);
    const whole = (f: AccountFacts) => ({ fromBlock: 0, toBlock: f.tip.height });
    const expectedOf = async (address: string) => {
      const { facts, unknownFields } = await get();
      const blank = Object.keys(unknownFields ?? {}) as (keyof AccountTransfer)[];
      return facts.expected(address).map((t) => {
        const r: Record<string, unknown> = { ...t };
        for (const k of blank) r[k] = null;
        return r as unknown as AccountTransfer;
      });
    };

    test("tip", "reports the tip height and hash", async () => {
      const { source, facts } = await get();
      expect(await source.tip()).toEqual(facts.tip);
    });

    test("blockHash", "gives block hashes by height, null above the tip", async () => {
      const { source, facts } = await get();
      expect(await source.blockHash(facts.tip.height)).toBe(facts.tip.hash);
      expect(await source.blockHash(facts.tip.height + 1000)).toBeNull();
    });

    test("transfers", "lists exactly the expected rows of every address, in chain order", async () => {
      const { source, facts, unknownFields } = await get();
      for (const a of facts.addresses) {
        const rows = await source.transfers(a, whole(facts));
        expect(rows, `transfers of ${a}`).toEqual(await expectedOf(a));
        if (!unknownFields?.traceAddress)
          expect(
            rows
              .filter((r) => r.kind === "internal")
              .every((r) => /^[0-9]+(_[0-9]+)*$/.test(r.traceAddress ?? "")),
          ).toBe(true);
        const form = facts.addressForm ?? ((x: string) => x.toLowerCase());
        expect(rows.every((r) => r.blockHash === null && r.from === form(r.from))).toBe(true);
      }
    });

    test("bigValue", "keeps amounts above 2^53 exact (10^24 wei)", async () => {
      const { source, facts } = await get();
      const rows = await source.transfers(facts.bigValue.to, whole(facts));
      const row = rows.find((r) => r.txid === facts.bigValue.txid && r.kind === "native");
      expect(typeof row?.value).toBe("bigint");
      expect(row?.value).toBe(facts.bigValue.value);
      expect(row!.value > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    });

    test(
      "failedTx",
      "stores a failed transaction as moving nothing (success=false) but paying its fee",
      async () => {
        const { source, facts } = await get();
        const rows = (await source.transfers(facts.failed.from, whole(facts))).filter(
          (r) => r.txid === facts.failed.txid,
        );
        const nativeRow = rows.find((r) => r.kind === "native");
        expect(nativeRow?.success).toBe(false);
        expect(nativeRow!.value > 0n).toBe(true);
        expect(rows.some((r) => r.kind === "token")).toBe(false);
        expect(rows.filter((r) => r.kind === "internal").every((r) => !r.success)).toBe(true);
        const fee = rows.find((r) => r.kind === "fee");
        expect(fee?.success).toBe(true);
        expect(fee!.value > 0n).toBe(true);
        expect(rows).toEqual(
          (await expectedOf(facts.failed.from)).filter((r) => r.txid === facts.failed.txid),
        );
      },
    );

    test("fees", "records one fee row per transaction the address sent", async () => {
      const { source, facts } = await get();
      for (const a of facts.addresses) {
        const fees = (await source.transfers(a, whole(facts))).filter((r) => r.kind === "fee");
        const want = (await expectedOf(a)).filter((r) => r.kind === "fee");
        expect(fees, `fees of ${a}`).toEqual(want);
        expect(
          fees.every(
            (f) =>
              f.from === (facts.addressForm ?? ((x: string) => x.toLowerCase()))(a) &&
              f.to === null &&
              f.success &&
              f.value > 0n,
          ),
        ).toBe(true);
      }
    });

    test("window", "returns a history larger than the record window completely", async () => {
      const { source, facts } = await get();
      const want = await expectedOf(facts.windowAddress);
      if (facts.recordWindow !== undefined) expect(want.length).toBeGreaterThan(facts.recordWindow);
      expect(await source.transfers(facts.windowAddress, whole(facts))).toEqual(want);
    });

    test("ranges", "gives the same rows block range by block range as in one call", async () => {
      const { source, facts } = await get();
      for (const a of facts.addresses.slice(0, 2)) {
        const all = await source.transfers(a, whole(facts));
        const pieces: AccountTransfer[] = [];
        for (let s = 0; s <= facts.tip.height; s += 3)
          pieces.push(
            ...(await source.transfers(a, { fromBlock: s, toBlock: Math.min(facts.tip.height, s + 2) })),
          );
        expect(pieces, `3-block pieces of ${a}`).toEqual(all);
      }
      const one = await source.transfers(facts.windowAddress, { fromBlock: 5, toBlock: 9 });
      expect(one).toEqual(
        (await expectedOf(facts.windowAddress)).filter((r) => r.blockNumber >= 5 && r.blockNumber <= 9),
      );
    });

    test("timeWindow", "with a time window, lists exactly the rows whose block time lies in it", async () => {
      const { source, facts } = await get();
      const a = facts.windowAddress;
      const all = await expectedOf(a);
      const times = [...new Set(all.map((r) => r.blockTime!))].sort((x, y) => x - y);
      expect(times.length, "the window address's rows span several block times").toBeGreaterThan(3);
      const since = times[1]!;
      const until = times[times.length - 2]!;
      const inside = all.filter((r) => r.blockTime! >= since && r.blockTime! <= until);
      expect(inside.length).toBeGreaterThan(0);
      expect(inside.length).toBeLessThan(all.length);
      expect(await source.transfers(a, whole(facts), { window: { since, until } })).toEqual(inside);
      // open ends, and a window before the first block time
      expect(await source.transfers(a, whole(facts), { window: { since, until: null } })).toEqual(
        all.filter((r) => r.blockTime! >= since),
      );
      expect(await source.transfers(a, whole(facts), { window: { since: null, until } })).toEqual(
        all.filter((r) => r.blockTime! <= until),
      );
      expect(
        await source.transfers(a, whole(facts), { window: { since: null, until: times[0]! - 1 } }),
      ).toEqual([]);
      // within a block range too (the ingest asks chunk by chunk)
      const mid = all[Math.floor(all.length / 2)]!.blockNumber;
      const part = { fromBlock: mid, toBlock: facts.tip.height };
      expect(await source.transfers(a, part, { window: { since, until } })).toEqual(
        inside.filter((r) => r.blockNumber >= mid),
      );
    });

    test("counts", "counts every upstream request it makes", async () => {
      const { source, facts, upstreamRequests } = await get();
      const before = source.counter.requests;
      const seen = upstreamRequests?.();
      await source.tip();
      await source.transfers(facts.addresses[0]!, whole(facts));
      expect(source.counter.requests).toBeGreaterThan(before);
      if (upstreamRequests) expect(source.counter.requests - before).toBe(upstreamRequests() - seen!);
    });

    retriesCase(test, get);

    test("badAddress", "rejects a malformed address before asking upstream", async () => {
      const { source, facts } = await get();
      const before = source.counter.requests;
      await expect(source.transfers("0x1234", whole(facts))).rejects.toMatchObject({
        code: "INVALID_ADDRESS",
      });
      expect(source.counter.requests).toBe(before);
    });

    closeCase(test, get);
  });
}
