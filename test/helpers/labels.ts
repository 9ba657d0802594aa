import type { LabelRecord } from "../../src/domain.ts";

/** A label on the Internet Archive's donation address; `over` sets the fields a test is about. */
export function labelRecord(over: Partial<LabelRecord> = {}): LabelRecord {
  return {
    chain: "bitcoin",
    address: "1Archive1n2C579dMsAu3iC6tWzuQJz8dN",
    currency: "BTC",
    label: "x",
    category: "exchange",
    source: "https://example.org",
    confidence: 50,
    program: null,
    reference: null,
    clusterDefining: false,
    actor: null,
    ...over,
  };
}
