import { describe, expect, it } from "vitest";
import type { UtxoSource } from "../../adapters/source.ts";
import type { SpentBy, UtxoTx } from "../../src/domain.ts";
import { closeCase, retriesCase } from "./source-cases.ts";

/** What the chain behind a source is known to hold; the suite checks the source reports exactly that. */
export interface UtxoFacts {
  tip: { height: number; hash: string };
  /** An address and its whole confirmed history, newest first. */
  historyAddress: string;
  historyTxids: string[];
  /** The block time of each of historyTxids. */
  historyTimes: number[];
  /** Unconfirmed txids touching historyAddress. */
  mempoolTxids: string[];
  knownTx: UtxoTx;
  knownTxOutspends: (SpentBy | null)[];
  unknownTxid: string;
}

/** The source, what its chain holds, and a way to make its next upstream request fail with a 503. */
export interface UtxoContractContext {
  source: UtxoSource;
  facts: UtxoFacts;
  failNext: () => void;
  /** A second source configured like `source` (the close case closes it). */
  fresh: () => UtxoSource;
}

export type UtxoCase =
  | "tip"
  | "blockHash"
  | "history"
  | "mempool"
  | "timeWindow"
  | "transaction"
  | "unknownTx"
  | "outspends"
  | "counts"
  | "retries"
  | "close";

/**
 * The one contract suite every UTXO adapter runs. Known gaps are skipped by name with a reason,
 * so a gap is visible in the test report instead of silently missing.
 */
export function utxoSourceContract(
  name: string,
  setup: () => Promise<UtxoContractContext>,
  skip: Partial<Record<UtxoCase, string>> = {},
): void {
  describe(`UTXO source contract: ${name}`, () => {
    let ctx: UtxoContractContext | undefined;
    const get = async () => {
      ctx ??= await setup();
      return ctx;
    };
    const test = (c: UtxoCase, title: string, fn: () => Promise<void>) =>
      skip[c] ? it.skip(`${title} (skipped: ${skip[c]})`, fn) : it(title, fn);

    test("tip", "reports the tip height and hash", async () => {
      const { source, facts } = await get();
      expect(await source.tip()).toEqual(facts.tip);
    });

    test("blockHash", "gives block hashes by height, null above the tip", async () => {
      const { source, facts } = await get();
      expect(await source.blockHash(facts.tip.height)).toBe(facts.tip.hash);
      expect(await source.blockHash(facts.tip.height + 1000)).toBeNull();
    });

    test(
      "history",
      "pages through the whole confirmed history newest first, without gaps or repeats",
      async () => {
        const { source, facts } = await get();
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await source.addressHistory(facts.historyAddress, cursor);
          for (const t of page.items) {
            expect(t.block, `${t.txid} is confirmed`).not.toBeNull();
            seen.push(t.txid);
          }
          cursor = page.next;
          pages++;
        } while (cursor !== null && pages < 1000);
        expect(seen).toEqual(facts.historyTxids);
        expect(pages).toBeGreaterThan(1);
      },
    );

    test("mempool", "returns unconfirmed transactions with the first page", async () => {
      const { source, facts } = await get();
      const page = await source.addressHistory(facts.historyAddress, null);
      expect((page.mempool ?? []).map((t) => t.txid).sort()).toEqual([...facts.mempoolTxids].sort());
      expect((page.mempool ?? []).every((t) => t.block === null)).toBe(true);
    });

    test("timeWindow", "with a time window, pages through exactly the transactions in it", async () => {
      const { source, facts } = await get();
      const walk = async (since: number | null, until: number | null) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        let mempool: string[] = [];
        do {
          const page = await source.addressHistory(facts.historyAddress, cursor, {
            window: { since, until },
          });
          if (cursor === null) mempool = (page.mempool ?? []).map((t) => t.txid);
          for (const t of page.items) seen.push(t.txid);
          cursor = page.next;
          pages++;
        } while (cursor !== null && pages < 1000);
        return { seen, mempool };
      };
      const times = [...new Set(facts.historyTimes)].sort((x, y) => x - y);
      expect(times.length, "the history spans several block times").toBeGreaterThan(3);
      const since = times[1]!;
      const until = times[times.length - 2]!;
      const want = (keep: (t: number) => boolean) =>
        facts.historyTxids.filter((_, i) => keep(facts.historyTimes[i]!));
      const inside = await walk(since, until);
      expect(inside.seen).toEqual(want((t) => t >= since && t <= until));
      expect(inside.seen.length).toBeLessThan(facts.historyTxids.length);
      // unconfirmed transactions have no block time: only a window without an end takes them
      expect(inside.mempool).toEqual([]);
      const open = await walk(since, null);
      expect(open.seen).toEqual(want((t) => t >= since));
      expect(open.mempool.sort()).toEqual([...facts.mempoolTxids].sort());
      expect((await walk(null, times[0]! - 1)).seen).toEqual([]);
    });

    test("transaction", "maps a transaction exactly (bigint amounts, prevouts, block)", async () => {
      const { source, facts } = await get();
      const t = await source.transaction(facts.knownTx.txid);
      expect(t).toEqual(facts.knownTx);
      const inSum = t!.inputs.reduce((a, i) => a + i.value, 0n);
      const outSum = t!.outputs.reduce((a, o) => a + o.value, 0n);
      if (!t!.inputs.some((i) => i.isCoinbase)) expect(inSum - outSum).toBe(t!.fee);
    });

    test("unknownTx", "answers null for a transaction the chain does not have", async () => {
      const { source, facts } = await get();
      expect(await source.transaction(facts.unknownTxid)).toBeNull();
      expect(await source.outspends(facts.unknownTxid)).toBeNull();
    });

    test("outspends", "reports which input spent each output", async () => {
      const { source, facts } = await get();
      expect(await source.outspends(facts.knownTx.txid)).toEqual(facts.knownTxOutspends);
    });

    retriesCase(test, get);

    test("counts", "counts every upstream request it makes", async () => {
      const { source, facts } = await get();
      const before = source.counter.requests;
      await source.addressHistory(facts.historyAddress, null);
      expect(source.counter.requests).toBe(before + 1);
    });

    closeCase(test, get);
  });
}
