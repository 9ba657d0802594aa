import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import { startServer } from "./helpers/btc.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";
import { labelCsv, SECRET, watchWorld } from "./helpers/watch.ts";
import { startReceiver } from "./helpers/webhook.ts";

const dir = tempDir();
const w = watchWorld("watch-cli");
const txid = w.payTerror(90_000n);
let server: EsploraServer;
let n = 0;
/** Each test its own database. */
const fresh = () => [
  "--db",
  join(dir, `cli${n++}.duckdb`),
  "--no-default-labels",
  "--esplora-url",
  server.url,
];
const book = join(dir, "book.csv");
const terror = join(dir, "terror.csv");

beforeAll(async () => {
  server = await startServer(w.chain);
  writeFileSync(book, `chain,address\n# customers\nbitcoin,${w.W}\nbitcoin,${w.D}\n`);
  writeFileSync(terror, labelCsv([[w.T, "terrorism_financing", "Terror wallet"]]));
});
afterAll(async () => server?.close());

describe("watch CLI: bad input at configuration time", () => {
  it("refuses a zero or unit-less interval, an unknown unit or category, and changes nothing", async () => {
    const base = fresh();
    for (const [args, msg] of [
      [["watchlist", "create", "book", book, "--every", "0"], '--every must be longer than 0, got "0"'],
      [["watchlist", "create", "book", book, "--every", "15x"], '--every: unknown unit "x" in "15x"'],
      [
        ["watchlist", "create", "book", book, "--every", "15"],
        '--every needs a unit: s, m, h or d (e.g. "15m"); got "15"',
      ],
      [
        ["watchlist", "create", "book", book, "--alert-on", "sanctions"],
        "--alert-on: unknown category sanctions",
      ],
      [["query", "schedule", "nope", "--every", "15m"], 'no saved query named "nope"'],
      [["alerts", "--since", "yesterday"], "--since must be an ISO date or time"],
    ] as [string[], string][]) {
      const r = await runCli([...base, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`fundtrace: ${msg}`);
    }
    expect(JSON.parse((await runCli([...base, "--json", "watchlist", "list"])).stdout)).toEqual({
      watchlists: [],
    });
  });

  it("refuses a webhook that is remote http, unreachable or has no secret, and stores none", async () => {
    const base = fresh();
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, "127.0.0.1", res));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((res) => closed.close(() => res()));
    process.env.FT_TEST_WEBHOOK_SECRET = SECRET;
    try {
      for (const [args, msg] of [
        [
          ["http://hooks.example.org/x", "--secret-env", "FT_TEST_WEBHOOK_SECRET"],
          "webhook URL must use https for a remote host",
        ],
        [
          [`http://127.0.0.1:${port}/x`, "--secret-env", "FT_TEST_WEBHOOK_SECRET"],
          `cannot reach webhook 127.0.0.1:${port}: connection refused`,
        ],
        [
          ["https://nowhere.invalid/x", "--secret-env", "FT_TEST_WEBHOOK_SECRET"],
          "cannot reach webhook host nowhere.invalid: DNS lookup failed",
        ],
        [
          ["https://hooks.example.org/x", "--secret-env", "FT_TEST_UNSET_VAR"],
          "environment variable FT_TEST_UNSET_VAR is not set",
        ],
      ] as [string[], string][]) {
        const r = await runCli([...base, "webhook", "add", ...args]);
        expect(r.code, args[0]).toBe(2);
        expect(r.stderr).toContain(`fundtrace: ${msg}`);
        expect(r.stderr).not.toContain(SECRET);
      }
      expect(JSON.parse((await runCli([...base, "--json", "webhook", "list"])).stdout)).toEqual({
        webhooks: [],
      });
    } finally {
      delete process.env.FT_TEST_WEBHOOK_SECRET;
    }
  });
});

describe("watch CLI", () => {
  it("creates a watchlist, screens it, lists and acknowledges its alerts", async () => {
    const base = fresh();
    expect((await runCli([...base, "labels", "import", terror])).code).toBe(0);
    const created = await runCli([...base, "watchlist", "create", "book", book, "--every", "24h"]);
    expect(created.stdout).toBe(
      "watchlist book: 2 addresses; every 24h, next " +
        created.stdout.match(/next (\S+);/)![1] +
        "; alerts on terrorism_financing,sanction\n",
    );
    const run = await runCli([...base, "--json", "watchlist", "run", "book"]);
    expect(run.code).toBe(0);
    const [id] = JSON.parse(run.stdout).alerts;
    const listed = await runCli([...base, "--json", "alerts"]);
    const alerts = JSON.parse(listed.stdout);
    expect(Array.isArray(alerts)).toBe(true);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      id,
      trigger: "counterparty",
      chain: "bitcoin",
      address: w.W,
      category: "terrorism_financing",
      amount: "90000",
      asset: "BTC",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      status: "new",
      path: [txid],
    });
    const text = await runCli([...base, "alerts"]);
    expect(text.stdout).toContain(`sent 0.00090000 BTC to ${w.T} "Terror wallet" (terrorism_financing)`);

    const acked = await runCli([...base, "--json", "alerts", "--ack", id]);
    expect(JSON.parse(acked.stdout)).toMatchObject([{ id, status: "acked", ackedAt: expect.any(String) }]);
    expect(JSON.parse((await runCli([...base, "--json", "alerts", "--status", "new"])).stdout)).toEqual([]);
    expect(JSON.parse((await runCli([...base, "--json", "alerts", "--since", "1h"])).stdout)).toHaveLength(1);
    expect(JSON.parse((await runCli([...base, "--json", "alerts", "--since", "2099-01-01"])).stdout)).toEqual(
      [],
    );
    const missing = await runCli([...base, "alerts", "--ack", "0000000000000000"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("fundtrace: no alert 0000000000000000\n");

    const ev = await runCli([...base, "alerts", "--evidence", id, "--out", join(dir, "ev")]);
    expect(ev.stdout).toMatch(/^wrote \d+ files to /);
  });

  it("schedules a saved query, adds a webhook (shown by fingerprint only) and runs what is due once", async () => {
    const base = fresh();
    const receiver = await startReceiver(SECRET);
    process.env.FT_TEST_WEBHOOK_SECRET = SECRET;
    try {
      expect((await runCli([...base, "labels", "import", terror])).code).toBe(0);
      const added = await runCli([
        ...base,
        "webhook",
        "add",
        receiver.url,
        "--secret-env",
        "FT_TEST_WEBHOOK_SECRET",
      ]);
      expect(added.stdout).toMatch(
        /^added webhook wh-[0-9a-f]{8}: http:\/\/127\.0\.0\.1:\d+\/hook \(secret sha256:[0-9a-f]{16}\)\n$/,
      );
      const list = await runCli([...base, "webhook", "list"]);
      expect(list.stdout).not.toContain(SECRET);
      expect(
        (await runCli([...base, "query", "save", "out", "--", "bitcoin", w.W, "--hops", "3"])).code,
      ).toBe(0);
      const sched = await runCli([...base, "query", "schedule", "out", "--every", "15m"]);
      expect(sched.stdout).toMatch(
        /^query out: every 15m, next \S+; alerts on terrorism_financing,sanction\n$/,
      );
      const once = await runCli([...base, "--json", "watch", "--once"]);
      expect(once.code).toBe(0);
      expect(JSON.parse(once.stdout).runs).toMatchObject([
        { kind: "query", name: "out", status: "ok", skipped: 0 },
      ]);
      // nothing is due until 15 minutes have passed
      expect(JSON.parse((await runCli([...base, "--json", "watch", "--once"])).stdout).runs).toEqual([]);
      const listed = JSON.parse((await runCli([...base, "--json", "watch", "--list"])).stdout);
      expect(listed.schedules).toMatchObject([{ kind: "query", name: "out", every: "15m", runs: 1 }]);
      const off = await runCli([...base, "query", "schedule", "out", "--off"]);
      expect(off.stdout).toMatch(
        /^query out: runs when asked; alerts on terrorism_financing,sanction; last run ok/,
      );
    } finally {
      delete process.env.FT_TEST_WEBHOOK_SECRET;
      await receiver.close();
    }
  });
});
