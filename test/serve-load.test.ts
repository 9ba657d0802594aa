import { describe, expect, it } from "vitest";
import { run } from "../bench/api.ts";

// The load bench's own path, briefly and small: what it counts, never how fast (timings are the bench's).
describe("npm run bench -- api", { tags: ["slow"] }, () => {
  it("loads serve with both request kinds while label imports run: no errors, every import succeeds", async () => {
    const args = ["--duration", "2", "--connections", "5", "--transfers", "5000", "--labels", "800"];
    const f = await run([...args, "--import-rows", "700"]);
    expect(f.parameters).toEqual({
      duration: 2,
      connections: 5,
      transfers: 5000,
      labels: 800,
      importRows: 700,
      lookupConnections: 3,
      screenConnections: 2,
      timeoutSeconds: 10,
    });
    expect(f.store).toMatchObject({ transfers: 5000, backgroundLabels: 800, listRows: 700, rotation: 1000 });
    expect(f.store.addresses).toBeGreaterThan(1200);
    for (const kind of [f.lookup, f.screen]) {
      expect(kind.requests).toBeGreaterThan(0);
      expect(kind.statusCodes).toEqual({ 200: kind.requests });
      expect([kind.errors, kind.non2xx, kind.socketErrors, kind.timeouts]).toEqual([0, 0, 0, 0]);
      expect(kind.p50).toBeLessThanOrEqual(kind.p99);
      expect(kind.p99).toBeLessThanOrEqual(kind.max);
    }
    expect(f.errors).toBe(0);
    expect(f.imports.done).toBeGreaterThan(0);
    expect(f.imports.succeeded).toBe(f.imports.done);
    expect(f.imports.ms).toHaveLength(f.imports.done);
    expect(f.loadAverage.start).toHaveLength(3);
    expect(f.loadAverage.end).toHaveLength(3);
    expect(f.serverExitedOnSigterm).toBeTypeOf("boolean");
    expect(f.goal).toEqual({ lookupP99MsAtMost: 50, errors: 0, met: f.lookup.p99 <= 50 });
    // what bench/run.ts writes to bench/results/api.json: plain JSON, nothing lost on the way
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
});
