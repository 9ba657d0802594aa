import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../src/services/index.ts";
import { AccountStore } from "../src/store/accounts.ts";
import { testServices } from "./helpers/services.ts";
import { ethTransfer } from "./helpers/transfers.ts";

// An offline trace over partial histories names the first 1,000 addresses it could not follow and
// counts them all: naming 1.36M on the 10M bench store took longer than the trace.
const S = `0x${"5".repeat(40)}`;
const N = 1500;
const to = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}`;

let s: Services;
beforeAll(async () => {
  s = await testServices("trace-missing");
  // S is paid, then pays 1,500 addresses
  const rows = [
    ethTransfer({ txid: `0x${"f".repeat(64)}`, from: `0x${"f".repeat(40)}`, to: S, value: 15_000n }),
  ];
  rows.push(
    ...Array.from({ length: N }, (_, i) =>
      ethTransfer({
        txid: `0x${(i + 1).toString(16).padStart(64, "0")}`,
        blockNumber: 2,
        txIndex: i,
        from: S,
        to: to(i),
        value: 10n,
      }),
    ),
  );
  // each payee has a history of its own beyond the payment (stored only in part)
  rows.push(
    ...Array.from({ length: N }, (_, i) =>
      ethTransfer({
        txid: `0x${(N + i + 1).toString(16).padStart(64, "0")}`,
        blockNumber: 3,
        txIndex: i,
        from: to(i),
        to: `0x${"e".repeat(40)}`,
        value: 1n,
      }),
    ),
  );
  await new AccountStore(s.store).writeTransfers(rows);
  // the start's whole history is stored; its payees' is not
  await s.store.sql(
    "INSERT INTO sync_cursors (source, chain, address, cursor, tip_height, updated_at) VALUES ('test', 'ethereum', $a, '3', 3, current_timestamp)",
    { a: S },
  );
});
afterAll(() => s?.close());

describe("what an offline trace did not see", () => {
  it("names the first 1,000 missing addresses and counts every one", async () => {
    const t = await s.traces.trace({
      chain: "ethereum",
      addresses: [S],
      maxHops: 2,
      maxAddresses: 5000,
      fetch: false,
    });
    const m = t.stats.missing;
    // its 1,500 payees: none of them ingested
    expect(m.addressCount).toBe(N);
    expect(m.addresses).toHaveLength(1000);
    expect(new Set(m.addresses).size).toBe(1000);
    for (const a of m.addresses) expect(a).toMatch(/^0x0{36}/);
    expect(t.stats.coverage.complete).toBe(false);
    expect(t.stats.coverage.notes.join("\n")).toMatch(
      /^1500 addresses reached but not fetched .*: (0x\S+, ){4}0x\S+ and 1495 more$/m,
    );
  });
});
