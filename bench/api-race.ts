import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/api/server.ts";
import { loadConfig } from "../src/config.ts";
import { createServices } from "../src/services/index.ts";
import { benchArgs } from "./args.ts";

export const RACE_CASES = 10;
const KEY = "race-admin-key-0123456789";

/** Write i of the mix: notes, wallets, new cases (every 40th a duplicate name), small label imports. */
export function raceWrite(i: number): { kind: string; path: string; body: unknown } {
  const c = `case-${i % RACE_CASES}`;
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
          // the source names the dataset (csv:race-i): each file is its own
          content: `chain,address,label,category,source\nethereum,0x${hex},label ${i},exchange,race-${i}\n`,
        },
      };
  }
}

export interface RaceAnswer {
  i: number;
  kind: string;
  status: number;
  /** The JSON of whichever route answered. */
  body: any;
}

/** `writes` requests of the mix against a server, `parallel` at a time over real sockets. */
export async function race(
  url: string,
  key: string,
  writes: number,
  parallel: number,
): Promise<RaceAnswer[]> {
  const answers: RaceAnswer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < writes) {
        const i = next++;
        const w = raceWrite(i);
        const r = await fetch(`${url}${w.path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(w.body),
        });
        answers.push({ i, kind: w.kind, status: r.status, body: await r.json() });
      }
    }),
  );
  return answers;
}

/**
 * `npm run bench -- api-race`: the race test's 1,000 mixed writes, 50 in parallel, against `serve`
 * on a fresh database, `--rounds` times (default 10); per round the 5xx, the acknowledged writes and
 * whether the stored notes, wallets and audit rows equal them.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["rounds", "writes", "parallel"]);
  const rounds = a.num("rounds", 10);
  const writes = a.num("writes", 1000);
  const parallel = a.num("parallel", 50);
  const out = [];
  for (let round = 0; round < rounds; round++) {
    const db = join(tmpdir(), `fundtrace-bench-race-${process.pid}-${round}.duckdb`);
    const s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
    const srv = await startServer(s, { host: "127.0.0.1", port: 0, apiKeys: [`${KEY}:admin`] });
    try {
      for (let c = 0; c < RACE_CASES; c++) await s.cases.create(`case-${c}`);
      const t0 = performance.now();
      const answers = await race(srv.url, KEY, writes, parallel);
      const seconds = (performance.now() - t0) / 1000;
      const ok = (k: string) => answers.filter((a) => a.kind === k && a.status < 300).length;
      let notes = 0;
      let wallets = 0;
      for (let c = 0; c < RACE_CASES; c++) {
        const got = await s.cases.get(`case-${c}`);
        notes += got.notes.length;
        wallets += got.wallets.length;
      }
      const r = {
        round,
        seconds: +seconds.toFixed(1),
        writesPerSecond: Math.round(writes / seconds),
        errors5xx: answers.filter((a) => a.status >= 500).length,
        acknowledged: answers.filter((a) => a.status < 300).length,
        notesStoredEqualsAcknowledged: notes === ok("note"),
        walletsStoredEqualsAcknowledged: wallets === ok("wallet"),
        auditRowsEqualRequests: (await s.audit.list(100_000)).length === writes,
      };
      console.error(JSON.stringify(r));
      out.push(r);
    } finally {
      await srv.close();
      s.close();
      rmSync(db, { force: true });
      rmSync(`${db}.wal`, { force: true });
    }
  }
  return { writes, parallel, rounds: out };
}
