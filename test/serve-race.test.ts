import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RACE_CASES as CASES, race } from "../bench/api-race.ts";
import { startServer } from "../src/api/server.ts";
import type { Listening } from "../src/listen.ts";
import type { Services } from "../src/services/index.ts";
import { testServices } from "./helpers/services.ts";

const ADMIN = "race-admin-key-0123456789";
const WRITES = 1000;
const PARALLEL = 50;

let s: Services;
let srv: Listening;

beforeAll(async () => {
  s = await testServices("serve-race");
  for (let c = 0; c < CASES; c++) await s.cases.create(`case-${c}`);
  srv = await startServer(s, { host: "127.0.0.1", port: 0, apiKeys: [`${ADMIN}:admin`] });
});
afterAll(async () => {
  await srv?.close();
  s?.close();
});

// ~37 s on a quiet 2-core machine, past 120 s under load 14: room to finish, no timing asserted
describe("serve under 50 parallel writers", { tags: ["slow"], timeout: 600_000 }, () => {
  it("1,000 mixed writes over real sockets: exactly the rows acknowledged, one audit row each, no 5xx", async () => {
    const auditBefore = (await s.audit.list(100_000)).length;
    const answers = await race(srv.url, ADMIN, WRITES, PARALLEL);
    expect(answers).toHaveLength(WRITES);
    expect(answers.filter((a) => a.status >= 500).map((a) => [a.i, a.body])).toEqual([]);
    const ok = (kind: string) => answers.filter((a) => a.kind === kind && a.status < 300);

    // notes: every acknowledged note stored with its own text and case, nothing else
    const notes = new Map<string, string>();
    for (let c = 0; c < CASES; c++)
      for (const n of (await s.cases.get(`case-${c}`)).notes) notes.set(n.id, `${n.text}@case-${c}`);
    const ackNotes = ok("note");
    expect(ackNotes).toHaveLength(WRITES / 4);
    expect(notes.size).toBe(ackNotes.length);
    for (const a of ackNotes)
      expect(notes.get(a.body.id)).toBe(`note ${a.i} of case-${a.i % CASES}@case-${a.i % CASES}`);

    // wallets: one per acknowledged write, in its own case
    let wallets = 0;
    for (let c = 0; c < CASES; c++) wallets += (await s.cases.get(`case-${c}`)).wallets.length;
    expect(ok("wallet")).toHaveLength(WRITES / 4);
    expect(wallets).toBe(WRITES / 4);

    // cases: the duplicate name went in once, the others answered 409
    const created = ok("case").map((a) => a.body.name as string);
    const stored = (await s.cases.list()).map((c) => c.name).filter((n) => n.startsWith("new-"));
    expect(stored.sort()).toEqual([...created].sort());
    expect(new Set(created).size).toBe(created.length);
    const dupes = answers.filter((a) => a.kind === "case" && a.status !== 201);
    expect(dupes.length).toBe(WRITES / 40 - 1);
    expect(dupes.every((a) => a.status === 409)).toBe(true);

    // label imports: each acknowledged file is its own dataset of one row
    const datasets = new Set((await s.labels.all({})).map((l) => l.dataset));
    expect(ok("labels")).toHaveLength(WRITES / 4);
    for (const a of ok("labels")) expect(datasets.has(`csv:race-${a.i}`)).toBe(true);

    // one audit row per request, with the status it answered
    const all = await s.audit.list(100_000);
    const audit = all.slice(0, all.length - auditBefore);
    expect(audit).toHaveLength(WRITES);
    const byStatus = (xs: number[]) => xs.sort((a, b) => a - b).join(",");
    expect(byStatus(audit.map((e) => e.status ?? 0))).toBe(byStatus(answers.map((a) => a.status)));
  });
});
