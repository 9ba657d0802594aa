import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src/api/server.ts";
import type { Listening } from "../src/listen.ts";
import type { Services } from "../src/services/index.ts";
import { testServices } from "./helpers/services.ts";

const ADMIN = "race-admin-key-0123456789";
const CASES = 10;
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

/** Write i of the mix: notes, wallets, new cases (every tenth a duplicate name), small label imports. */
function write(i: number): { kind: string; path: string; body: unknown } {
  const c = `case-${i % CASES}`;
  const hex = i.toString(16).padStart(40, "0");
  switch (i % 4) {
    case 0:
      return { kind: "note", path: `/v1/cases/${c}/notes`, body: { text: `note ${i} of ${c}` } };
    case 1:
      return {
        kind: "wallet",
        path: `/v1/cases/${c}/wallets`,
        body: { chain: "ethereum", address: `0x${hex}`, label: `wallet ${i}` },
      };
    case 2:
      return { kind: "case", path: "/v1/cases", body: { name: `new-${i % 40 === 2 ? 2 : i}` } };
    default:
      return {
        kind: "labels",
        path: "/v1/labels/import",
        body: {
          name: `race-${i}.csv`,
          format: "csv",
          content: `chain,address,label,category\nethereum,0x${hex},label ${i},exchange\n`,
        },
      };
  }
}

describe("serve under 50 parallel writers", { tags: ["slow"] }, () => {
  it("1,000 mixed writes over real sockets: exactly the rows acknowledged, one audit row each, no 5xx", async () => {
    const auditBefore = (await s.audit.list(100_000)).length;
    const answers: { i: number; kind: string; status: number; body: any }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < WRITES) {
          const i = next++;
          const w = write(i);
          const r = await fetch(`${srv.url}${w.path}`, {
            method: "POST",
            headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
            body: JSON.stringify(w.body),
          });
          answers.push({ i, kind: w.kind, status: r.status, body: await r.json() });
        }
      }),
    );
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
    for (const a of ok("labels")) expect(datasets.has(`csv:race-${a.i}.csv`)).toBe(true);

    // one audit row per request, with the status it answered
    const all = await s.audit.list(100_000);
    const audit = all.slice(0, all.length - auditBefore);
    expect(audit).toHaveLength(WRITES);
    const byStatus = (xs: number[]) => xs.sort((a, b) => a - b).join(",");
    expect(byStatus(audit.map((e) => e.status ?? 0))).toBe(byStatus(answers.map((a) => a.status)));
  });
});
