import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { BIN, runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";
import { labelCsv, SECRET, watchServices, watchWorld } from "./helpers/watch.ts";
import { startReceiver, until } from "./helpers/webhook.ts";

/**
 * The watch end to end, as `serve` runs it: the scheduler reruns on its own, alerts reach a real
 * webhook receiver on 127.0.0.1 (which checks every signature), across failures and a killed server.
 */

async function receiver(answers: (number | "hold")[] = []) {
  const r = await startReceiver(SECRET, answers);
  onTestFinished(() => r.close());
  return r;
}

async function scheduleRuns(s: Services, name: string): Promise<number> {
  return (await s.watch.schedules.get("query", name)).runs;
}

describe("the watch end to end", { tags: ["slow"] }, () => {
  it("a new transaction paying a terror-linked address: one signed alert, still delivered once after two 500s", async () => {
    const w = watchWorld("e2e-new-tx");
    const { s } = await watchServices(w.chain);
    const r = await receiver([500, 500, 200]);
    await s.labels.importBytes(labelCsv([[w.T, "terrorism_financing", "Terror wallet"]]), "t.csv", "csv");
    await s.watch.webhooks.add(r.url, SECRET);
    await s.queries.save("case-wallets", { chain: "bitcoin", addresses: [w.W], maxHops: 3 });
    await s.watch.scheduleQuery("case-wallets", { every: 1 });
    const sch = s.watch.scheduler({ pollMs: 100 });
    sch.start();
    try {
      await until(async () => (await scheduleRuns(s, "case-wallets")) >= 1, 30_000, "the baseline run");
      const txid = w.payTerror(250_000n);
      await until(() => r.acknowledged().length === 1, 30_000, "a delivered alert");
      const runs = await scheduleRuns(s, "case-wallets");
      await until(async () => (await scheduleRuns(s, "case-wallets")) >= runs + 3, 30_000, "three more runs");
      expect(r.received.map((x) => x.answered)).toEqual([500, 500, 200]);
      expect(r.received.every((x) => x.verified)).toBe(true);
      const alert = r.received[0]!.json.alert;
      expect(alert).toMatchObject({
        trigger: "rerun",
        kind: "new_endpoint",
        address: w.W,
        endpoint: w.T,
        path: [txid],
      });
      expect(new Set(r.received.map((x) => x.json.alert.id))).toEqual(new Set([alert.id]));
      expect((await s.watch.alerts.list({ limit: 10 })).map((a) => [a.id, a.delivery])).toEqual([
        [alert.id, "delivered"],
      ]);
    } finally {
      await sch.stop();
    }
  });

  it("a scheduled watchlist fetches the new transaction paying a terror-linked address: one signed counterparty alert", async () => {
    const w = watchWorld("e2e-watchlist");
    const { s } = await watchServices(w.chain);
    const r = await receiver();
    await s.labels.importBytes(labelCsv([[w.T, "terrorism_financing", "Terror wallet"]]), "t.csv", "csv");
    await s.watch.webhooks.add(r.url, SECRET);
    await s.watch.watchlists.create("case", [{ chain: "bitcoin", address: w.W }]);
    await s.watch.scheduleWatchlist("case", { every: 1 });
    const runsOf = async () => (await s.watch.schedules.get("watchlist", "case")).runs;
    const sch = s.watch.scheduler({ pollMs: 100 });
    sch.start();
    try {
      await until(async () => (await runsOf()) >= 1, 30_000, "the first screening");
      const txid = w.payTerror(150_000n);
      await until(() => r.acknowledged().length === 1, 30_000, "a delivered alert");
      const runs = await runsOf();
      await until(async () => (await runsOf()) >= runs + 3, 30_000, "three more runs");
      expect(r.received).toHaveLength(1);
      expect(r.received[0]!.verified).toBe(true);
      expect(r.received[0]!.json.alert).toMatchObject({
        trigger: "counterparty",
        kind: "sent",
        address: w.W,
        endpoint: w.T,
        amount: "150000",
        path: [txid],
        watchlist: "case",
      });
      expect((await s.watch.alerts.list({ limit: 10 })).map((a) => [a.id, a.delivery])).toEqual([
        [r.received[0]!.json.alert.id, "delivered"],
      ]);
    } finally {
      await sch.stop();
    }
  });

  it("a newer label list: one alert per affected watched wallet; a delisting: a notice each; all delivered", async () => {
    const w = watchWorld("e2e-relabel");
    const { s } = await watchServices(w.chain);
    const r = await receiver();
    await s.watch.webhooks.add(r.url, SECRET);
    await s.watch.watchlists.create("book", [
      { chain: "bitcoin", address: w.W },
      { chain: "bitcoin", address: w.D },
    ]);
    await s.watch.runWatchlist("book");
    const sch = s.watch.scheduler({ pollMs: 100 });
    sch.start();
    try {
      await s.labels.importBytes(labelCsv([[w.T, "sanction", "Old entry"]]), "list.csv", "csv");
      await s.labels.importBytes(
        labelCsv([
          [w.T, "sanction", "Old entry"],
          [w.C, "sanction", "Broker"],
        ]),
        "list.csv",
        "csv",
      );
      await until(() => r.acknowledged().length === 2, 30_000, "two listing alerts");
      // one of two addresses delisted is over the import guard's share: a deliberate replacement
      await s.labels.importBytes(labelCsv([[w.T, "sanction", "Old entry"]]), "list.csv", {
        format: "csv",
        force: true,
      });
      await until(() => r.acknowledged().length === 4, 30_000, "two delisting notices");
      const got = r.received.map((x) => x.json.alert);
      expect(r.received.every((x) => x.verified)).toBe(true);
      expect(got.map((a) => [a.kind, a.address, a.endpoint]).sort()).toEqual(
        [
          ["delisted", w.D, w.C],
          ["delisted", w.W, w.C],
          ["listed", w.D, w.C],
          ["listed", w.W, w.C],
        ].sort(),
      );
    } finally {
      await sch.stop();
    }
  });

  it("a server killed between the rerun and the delivery delivers the alert once after a restart", async () => {
    const w = watchWorld("e2e-sigkill");
    const dir = tempDir();
    const db = join(dir, "killed.duckdb");
    const { server } = await watchServices(w.chain);
    const r = await receiver(["hold"]);
    const base = ["--db", db, "--no-default-labels", "--esplora-url", server.url];
    const env = { FT_E2E_SECRET: SECRET, FUNDTRACE_RPS: "1000", FUNDTRACE_WEBHOOK_RETRY_BASE_MS: "100" };
    const labels = join(dir, "t.csv");
    writeFileSync(labels, labelCsv([[w.T, "terrorism_financing", "Terror wallet"]]));
    process.env.FT_E2E_SECRET = SECRET;
    try {
      for (const args of [
        ["labels", "import", labels],
        ["webhook", "add", r.url, "--secret-env", "FT_E2E_SECRET"],
        ["query", "save", "out", "--", "bitcoin", w.W, "--hops", "3"],
        ["query", "run", "out"],
        ["query", "schedule", "out", "--every", "1h"],
      ])
        expect((await runCli([...base, ...args])).code, args.join(" ")).toBe(0);
    } finally {
      delete process.env.FT_E2E_SECRET;
    }
    w.payTerror(310_000n);

    const first = serve(base, env);
    await until(() => r.received.length === 1, 60_000, "the first delivery attempt");
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    const s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
    const [alert] = await s.watch.alerts.list({ limit: 10 });
    const stored = await s.watch.alerts.get(alert!.id);
    s.close();
    expect(stored).toMatchObject({ trigger: "rerun", endpoint: w.T, amount: "310000", delivery: "pending" });
    expect(stored.deliveries).toMatchObject([{ status: "pending", attempts: 0 }]);

    const second = serve(base, env);
    try {
      await until(() => r.acknowledged().length === 1, 60_000, "the delivery after the restart");
      const url = await second.url;
      const shown = (await (await fetch(`${url}/v1/alerts`)).json()) as {
        alerts: { id: string; delivery: string }[];
      };
      expect(shown.alerts.map((a) => [a.id, a.delivery])).toEqual([[alert!.id, "delivered"]]);
      expect(r.received.map((x) => [x.json.alert.id, x.answered, x.verified])).toEqual([
        [alert!.id, 0, true],
        [alert!.id, 200, true],
      ]);
      expect(second.stderr()).not.toContain(SECRET);
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }
  });
});

/** `fundtrace serve` as a child process on a free port; `url` once it listens. */
function serve(base: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(BIN, [...base, "serve", "--port", "0"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const url = new Promise<string>((resolve) => {
    child.stderr!.on("data", (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
  });
  const exited = new Promise<string | number | null>((res) =>
    child.on("exit", (code, sig) => res(sig ?? code)),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, url, exited, stderr: () => err };
}
