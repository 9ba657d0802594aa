import { expect } from "vitest";
import type { ChainSource } from "../../adapters/source.ts";

/** What both contract suites need for the cases every source shares. */
interface BaseContext {
  source: ChainSource;
  facts: { tip: { height: number; hash: string } };
  /** Makes the next upstream request fail with a 503. */
  failNext: () => void;
  /** A second source configured like `source`, for the case that closes one for good. */
  fresh: () => ChainSource;
}

type Case = (c: "retries" | "close", title: string, fn: () => Promise<void>) => void;

export function retriesCase(test: Case, get: () => Promise<BaseContext>): void {
  test("retries", "retries a failed request, counts the retry, and still answers", async () => {
    const { source, facts, failNext } = await get();
    const before = { ...source.counter };
    failNext();
    expect(await source.tip()).toEqual(facts.tip);
    expect(source.counter.retries).toBe(before.retries + 1);
    expect(source.counter.failures).toBe(before.failures);
  });
}

/** Closes a source of its own, so the other cases may run in any order. */
export function closeCase(test: Case, get: () => Promise<BaseContext>): void {
  test("close", "closes: later calls fail without asking upstream; closing twice is fine", async () => {
    const source = (await get()).fresh();
    expect(await source.tip()).toEqual((await get()).facts.tip);
    await source.close();
    await source.close();
    const before = source.counter.requests;
    await expect(source.tip()).rejects.toThrow();
    await expect(source.blockHash(1)).rejects.toThrow();
    expect(source.counter.requests).toBe(before);
  });
}
