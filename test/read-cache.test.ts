import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../src/services/index.ts";
import { AccountStore } from "../src/store/accounts.ts";
import { ReadCache } from "../src/store/read-cache.ts";
import { testServices } from "./helpers/services.ts";
import { ethTransfer } from "./helpers/transfers.ts";

// Address lookups and label answers kept between calls are never stale: every write that changes what
// an answer reads drops it, and a label import that names the addresses it changes keeps the others.
const A = "0x00000000000000000000000000000000000000a1";
const B = "0x00000000000000000000000000000000000000b2";
const C = "0x00000000000000000000000000000000000000c3";

const csv = (rows: [string, string][]) =>
  Buffer.from(
    [
      "chain,address,label,category,source",
      ...rows.map(([a, l]) => `ethereum,${a},${l},exchange,test-list`),
    ].join("\n"),
  );

let s: Services;
beforeAll(async () => {
  s = await testServices("read-cache");
});
afterAll(() => s?.close());

const labelsOf = async (a: string) => (await s.addresses.info("ethereum", a)).labels.map((l) => l.label);

describe("kept answers", () => {
  it("follow a label import: the changed address at once, the others kept", async () => {
    await s.labels.importBytes(
      csv([
        [A, "Exchange A"],
        [B, "Exchange B"],
      ]),
      "list-v1.csv",
      "csv",
    );
    expect(await labelsOf(A)).toEqual(["Exchange A"]);
    expect(await labelsOf(B)).toEqual(["Exchange B"]);
    const before = s.addresses.cacheStats();
    // a newer edition relabels B only
    await s.labels.importBytes(
      csv([
        [A, "Exchange A"],
        [B, "Exchange B (hot wallet)"],
      ]),
      "list-v2.csv",
      "csv",
    );
    expect(await labelsOf(A)).toEqual(["Exchange A"]);
    expect(await labelsOf(B)).toEqual(["Exchange B (hot wallet)"]);
    const after = s.addresses.cacheStats();
    // A was answered from what was kept, B computed again
    expect(after.hits - before.hits).toBe(1);
    expect(after.misses - before.misses).toBe(1);
    // screening reads the same labels
    const screened = await s.screen.screen([{ chain: "ethereum", address: B }]);
    expect(screened.results[0]).toMatchObject({
      labels: [expect.objectContaining({ label: "Exchange B (hot wallet)" })],
    });
    // a label removed from the list is gone from the answer
    await s.labels.importBytes(csv([[B, "Exchange B (hot wallet)"]]), "list-v3.csv", {
      format: "csv",
      force: true,
    });
    expect(await labelsOf(A)).toEqual([]);
  });

  it("follow new transfers, a case wallet and a cluster-defining label", async () => {
    expect((await s.addresses.info("ethereum", C)).stats.txCount).toBe(0);
    await new AccountStore(s.store).writeTransfers([
      ethTransfer({ txid: `0x${"1".repeat(64)}`, from: A, to: C, value: 7n }),
    ]);
    expect((await s.addresses.info("ethereum", C)).stats).toMatchObject({ txCount: 1, received: "7" });
    await s.cases.create("kept-case");
    await s.cases.addWallet("kept-case", "ethereum", C, { label: "courier", category: "darknet-market" });
    expect(await labelsOf(C)).toContain("courier");
  });

  it("all go after a change of a cluster-defining label (it concerns every member of a cluster)", async () => {
    const D = "0x00000000000000000000000000000000000000d4";
    const pack = (label: string) =>
      Buffer.from(
        `chain,address,label,category,source,cluster_defining\nethereum,${D},${label},exchange,reserves,true\n`,
      );
    await s.labels.importBytes(pack("Reserve v1"), "reserves-v1.csv", "csv");
    await labelsOf(A);
    const before = s.addresses.cacheStats();
    await labelsOf(A);
    expect(s.addresses.cacheStats().hits).toBe(before.hits + 1);
    await s.labels.importBytes(pack("Reserve v2"), "reserves-v2.csv", "csv");
    await labelsOf(A);
    expect(s.addresses.cacheStats().misses).toBe(before.misses + 1);
  });

  it("are never kept from a read that overlapped a commit of its tables", async () => {
    const before = s.addresses.cacheStats();
    // the lookup starts while an import of A's label is committing
    const importing = s.labels.importBytes(
      csv([
        [A, "Exchange A again"],
        [B, "Exchange B (hot wallet)"],
      ]),
      "list-v4.csv",
      "csv",
    );
    const during = s.addresses.info("ethereum", A);
    await importing;
    await during;
    expect(await labelsOf(A)).toEqual(["Exchange A again"]);
    expect(s.addresses.cacheStats().misses).toBeGreaterThan(before.misses);
  });
});

describe("import hooks", () => {
  it("hear the labels an import added and removed, of the categories they ask for", async () => {
    const t = await testServices("import-hooks");
    try {
      const heard: { added: string[]; removed: string[] }[] = [];
      t.labels.onImport(
        async (c) => {
          heard.push({ added: c.added.map((l) => l.address), removed: c.removed.map((l) => l.address) });
        },
        async () => new Set(["sanctioned"]),
      );
      const list = (rows: [string, string][]) =>
        Buffer.from(
          ["chain,address,label,category,source", ...rows.map(([a, c]) => `ethereum,${a},L,${c},hooks`)].join(
            "\n",
          ),
        );
      await t.labels.importBytes(
        list([
          [A, "sanctioned"],
          [B, "exchange"],
        ]),
        "h1.csv",
        "csv",
      );
      await t.labels.importBytes(
        list([
          [B, "exchange"],
          [C, "sanctioned"],
        ]),
        "h2.csv",
        { format: "csv", force: true },
      );
      expect(heard).toEqual([
        { added: [A], removed: [] },
        { added: [C], removed: [A] },
      ]);
    } finally {
      t.close();
    }
  });
});

describe("answers being computed", () => {
  const D = "0x00000000000000000000000000000000000000d4";
  const E = "0x00000000000000000000000000000000000000e5";

  it("a lookup missed by many callers at once is read once", async () => {
    const before = s.addresses.cacheStats();
    const answers = await Promise.all(Array.from({ length: 10 }, () => s.addresses.info("ethereum", D)));
    const after = s.addresses.cacheStats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.shared - before.shared).toBe(9);
    for (const a of answers) expect(a).toEqual(answers[0]);
  });

  it("is shared only with callers that came before a change concerning its key", async () => {
    const cache = new ReadCache<string>(s.store, ["labels.by_addresses"]);
    let release!: (v: string) => void;
    const held = new Promise<string>((r) => {
      release = r;
    });
    const computed: string[] = [];
    const compute = (v: string | Promise<string>) => () => {
      computed.push(typeof v === "string" ? v : "held");
      return Promise.resolve(v);
    };
    const first = cache.getOne(`x\n${E}`, E, compute(held));
    const beforeChange = cache.getOne(`x\n${E}`, E, compute("unused"));
    // a change of another address's labels: still shared
    await s.labels.importBytes(csv([[C, "Exchange C"]]), "other-list.csv", {
      format: "csv",
      dataset: "other",
    });
    const afterOther = cache.getOne(`x\n${E}`, E, compute("unused"));
    // a change of E's labels: a caller from now on reads anew
    await s.labels.importBytes(csv([[E, "Exchange E"]]), "e-list.csv", { format: "csv", dataset: "e-list" });
    const afterChange = cache.getOne(`x\n${E}`, E, compute("after"));
    release("before");
    expect(await Promise.all([first, beforeChange, afterOther, afterChange])).toEqual([
      "before",
      "before",
      "before",
      "after",
    ]);
    expect(computed).toEqual(["held", "after"]);
    expect(cache.shared).toBe(2);
  });
});

describe("kept answers during an ingest", () => {
  const P = "0x00000000000000000000000000000000000000f1";
  const Q = "0x00000000000000000000000000000000000000f2";
  const R = "0x00000000000000000000000000000000000000f3";
  const tx = (n: number) => `0x${String(n).padStart(64, "9")}`;

  it("stay for addresses a batch does not touch; a rewritten transfer drops them all", async () => {
    const accounts = new AccountStore(s.store);
    await accounts.writeTransfers([ethTransfer({ txid: tx(1), from: P, to: Q, value: 3n })]);
    expect((await s.addresses.info("ethereum", P)).stats.txCount).toBe(1);
    expect((await s.addresses.info("ethereum", Q)).stats.received).toBe("3");
    // a page of P's history that does not involve Q
    await accounts.writeTransfers([ethTransfer({ txid: tx(2), from: P, to: R, value: 4n })]);
    const before = s.addresses.cacheStats();
    expect((await s.addresses.info("ethereum", Q)).stats.received).toBe("3");
    expect(s.addresses.cacheStats().hits).toBe(before.hits + 1);
    expect((await s.addresses.info("ethereum", P)).stats).toMatchObject({ txCount: 2, sent: "7" });
    expect((await s.addresses.info("ethereum", R)).stats.received).toBe("4");
    expect(s.addresses.cacheStats().misses).toBe(before.misses + 2);
    // the second transfer corrected: it went to Q, not R (the batch names only P and Q)
    await accounts.writeTransfers([ethTransfer({ txid: tx(2), from: P, to: Q, value: 4n })]);
    expect((await s.addresses.info("ethereum", R)).stats).toMatchObject({ txCount: 0, received: "0" });
    expect((await s.addresses.info("ethereum", Q)).stats.received).toBe("7");
  });
});
