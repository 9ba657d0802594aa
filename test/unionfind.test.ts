import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UnionFind } from "../src/core/unionfind.ts";

describe("UnionFind", () => {
  it("agrees with naive relabelling on sets, grouped ids and which unions are real merges", {
    tags: ["slow"],
  }, () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 40 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 80 })),
          ),
        ([n, pairs]) => {
          const uf = new UnionFind(n);
          const label = Array.from({ length: n }, (_, i) => i);
          for (const [a, b] of pairs) {
            const apart = label[a] !== label[b];
            expect(uf.union(a, b)).toBe(apart);
            if (apart) {
              const from = label[b];
              for (let i = 0; i < n; i++) if (label[i] === from) label[i] = label[a]!;
            }
          }
          for (let x = 0; x < n; x++) {
            for (let y = 0; y < n; y++) expect(uf.find(x) === uf.find(y)).toBe(label[x] === label[y]);
            expect(uf.grouped(x)).toBe(label.filter((l) => l === label[x]).length >= 2);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
