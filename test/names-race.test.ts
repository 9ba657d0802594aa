// Two requests creating a case or saving a query of the same name at once: one wins, the others get a
// clear conflict (never a database constraint error).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../src/services/index.ts";
import { testServices } from "./helpers/services.ts";

let s: Services;
beforeAll(async () => {
  s = await testServices("race");
});
afterAll(() => s?.close());

function outcomes(results: PromiseSettledResult<unknown>[]) {
  return results.map((r) => (r.status === "fulfilled" ? "created" : (r.reason as { code?: string }).code));
}

describe("names taken at the same moment", () => {
  it("one case of a name is created, the other attempts are conflicts", async () => {
    const r = await Promise.allSettled(Array.from({ length: 8 }, () => s.cases.create("op-sunrise")));
    expect(outcomes(r).sort()).toEqual([
      "CONFLICT",
      "CONFLICT",
      "CONFLICT",
      "CONFLICT",
      "CONFLICT",
      "CONFLICT",
      "CONFLICT",
      "created",
    ]);
    expect((await s.cases.list()).filter((c) => c.name === "op-sunrise")).toHaveLength(1);
  });

  it("one query of a name is saved, the other attempts are conflicts", async () => {
    const params = { chain: "ethereum", addresses: ["0x00000000000000000000000000000000000000a1"] };
    const r = await Promise.allSettled(Array.from({ length: 8 }, () => s.queries.save("q-race", params)));
    expect(outcomes(r).filter((o) => o === "created")).toHaveLength(1);
    expect(outcomes(r).filter((o) => o === "CONFLICT")).toHaveLength(7);
  });
});
