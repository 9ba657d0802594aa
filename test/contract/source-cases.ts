import { expect } from "vitest";
import type { ChainSource } from "../../adapters/source.ts";

/** What both contract suites need for the cases every source shares. */
interface BaseContext {
  source: ChainSource;
  facts: { tip: { height: number; hash: string } };
  /** Makes the next upstream request fail with a 503. */
  failNext: () => void;
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

/** Must be the suite's last case: the source is closed for good. */
export function closeCase(test: Case, get: () => Promise<BaseContext>): void {
  test("close", "closes: later calls fail without asking upstream; closing twice is fine", async () => {
    const { source } = await get();
    await source.close();
    await source.close();
    const before = source.counter.requests;
    await expect(source.tip()).rejects.toThrow();
    await expect(source.blockHash(1)).rejects.toThrow();
    expect(source.counter.requests).toBe(before);
  });
}
