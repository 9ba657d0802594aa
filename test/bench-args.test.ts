import { describe, expect, it } from "vitest";
import { benchArgs } from "../bench/args.ts";

describe("bench command lines", () => {
  it("reads sizes, numbers, strings and flags; defaults what is absent", () => {
    const a = benchArgs(
      ["2000", "--runs", "5", "--reuse", "/tmp/x.duckdb", "--no-sql"],
      ["runs", "reuse"],
      ["no-sql"],
    );
    expect([a.size(10, { min: 1000 }), a.num("runs", 3), a.str("reuse"), a.flag("no-sql")]).toEqual([
      2000,
      5,
      "/tmp/x.duckdb",
      true,
    ]);
    const d = benchArgs([], ["runs"], ["no-sql"]);
    expect([d.size(10), d.num("runs", 3), d.str("runs"), d.flag("no-sql")]).toEqual([
      10,
      3,
      undefined,
      false,
    ]);
  });

  it("refuses an unknown option, a bad number and a size below the minimum, naming it", () => {
    expect(() => benchArgs(["--rnus", "5"], ["runs"])).toThrow(/--rnus/);
    expect(() => benchArgs(["--runs", "5x"], ["runs"]).num("runs", 3)).toThrow(/--runs must be .* got "5x"/);
    expect(() => benchArgs(["999"], []).size(10, { min: 1000 })).toThrow(/N must be a whole number ≥ 1000/);
  });
});
