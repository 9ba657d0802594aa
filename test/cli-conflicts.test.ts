import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { cliActor } from "../src/services/audit.ts";
import { serverNotePath } from "../src/store/holder.ts";
import { BIN, runBin, runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const TSX = fileURLToPath(new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url));
const DB_TS = fileURLToPath(new URL("../src/store/db.ts", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** Starts a child and resolves once its stderr or stdout says `ready` (matched by the regexp). */
function startChild(
  cmd: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FUNDTRACE_LOG_LEVEL: "error" },
    });
    children.push(child);
    let out = "";
    const look = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", look);
    child.on("exit", (code) => reject(new Error(`child exited ${code} before ready: ${out}`)));
  });
}

/** A process that holds the file as a command would: read-write (a writer) or read-only. */
function holdStore(db: string, readOnly: boolean) {
  const script = join(dir, `hold-${readOnly ? "ro" : "rw"}.mts`);
  writeFileSync(
    script,
    `import { Store } from ${JSON.stringify(DB_TS)};\n` +
      `const s = await Store.open(${JSON.stringify(db)}, { readOnly: ${readOnly} });\n` +
      `console.log("holding");\nsetInterval(() => s.path, 1000);\n`,
  );
  return startChild(process.execPath, ["--import", `file://${TSX}`, script], /holding/);
}

const fresh = async (name: string) => {
  const db = join(dir, `${name}.duckdb`);
  expect((await runCli(["--db", db, "--no-default-labels", "case", "create", "first"])).code).toBe(0);
  return db;
};

describe("a database held by another process", { tags: ["slow"] }, () => {
  it("a running server: writes and reads say which server holds it and where its API is", async () => {
    const db = await fresh("served");
    const { child, match } = await startChild(
      BIN,
      ["--db", db, "--no-default-labels", "serve", "--port", "0"],
      /listening on (http:\/\/\S+) /,
    );
    const url = match[1]!;
    expect(JSON.parse(readFileSync(serverNotePath(db), "utf8"))).toMatchObject({ pid: child.pid, url });
    const expected = `fundtrace: a fundtrace server (PID ${child.pid}) holds ${db}: stop it, or use the API at ${url}\n`;
    const write = await runBin(["--db", db, "--no-default-labels", "case", "create", "second"]);
    expect([write.code, write.stderr]).toEqual([1, expected]);
    const read = await runBin(["--db", db, "--no-default-labels", "case", "show", "first"]);
    expect([read.code, read.stderr]).toEqual([1, expected]);
    // the API answers meanwhile
    expect((await fetch(`${url}/v1/cases/first`)).status).toBe(200);
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    expect(existsSync(serverNotePath(db))).toBe(false);
    expect((await runCli(["--db", db, "--no-default-labels", "case", "show", "first"])).code).toBe(0);
  });

  it("another command writing: a read-only command says so; readers share the file", async () => {
    const db = await fresh("written");
    const writer = await holdStore(db, false);
    const r = await runBin(["--db", db, "--no-default-labels", "case", "list"]);
    expect([r.code, r.stderr]).toEqual([
      1,
      `fundtrace: another process (PID ${writer.child.pid}) holds ${db}: wait for it to finish (a database is open to one writer, or to several readers)\n`,
    ]);
    writer.child.kill("SIGKILL");
    await new Promise((res) => writer.child.once("exit", res));
    // a reader holds it: other read-only commands run beside it
    await holdStore(db, true);
    const list = await runBin(["--db", db, "--no-default-labels", "--json", "case", "list"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).cases.map((c: { name: string }) => c.name)).toEqual(["first"]);
  });

  it("a note left by a server that died is stale: ignored and removed", async () => {
    const db = await fresh("stale");
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    writeFileSync(
      serverNotePath(db),
      JSON.stringify({ pid: dead.pid, url: "http://127.0.0.1:1", startedAt: "x" }),
    );
    expect((await runCli(["--db", db, "--no-default-labels", "case", "create", "again"])).code).toBe(0);
    expect((await runCli(["--db", db, "--no-default-labels", "case", "show", "again"])).code).toBe(0);
    expect(existsSync(serverNotePath(db))).toBe(false);
  });
});

describe("CLI writes are audited", () => {
  it("cases, notes and label imports as cli:<user>, refused ones included", async () => {
    const db = join(dir, "cli-audit.duckdb");
    const base = ["--db", db, "--no-default-labels"];
    const csv = join(dir, "cli.csv");
    writeFileSync(
      csv,
      "chain,address,label,category,source,confidence\nbitcoin,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,L,exchange,t,50\n",
    );
    expect((await runCli([...base, "case", "create", "c1"])).code).toBe(0);
    expect((await runCli([...base, "case", "note", "c1", "a", "note"])).code).toBe(0);
    expect((await runCli([...base, "case", "note", "nope", "x"])).code).toBe(2);
    expect((await runCli([...base, "labels", "import", csv])).code).toBe(0);
    const log = JSON.parse((await runCli([...base, "--json", "audit"])).stdout) as { entries: any[] };
    expect(log.entries.map((e) => [e.keyId, e.action, e.target, e.status, e.details]).reverse()).toEqual([
      [cliActor(), "cli case create", "case=c1", 200, null],
      [cliActor(), "cli case note", "case=c1", 200, null],
      [cliActor(), "cli case note", "case=nope", 404, null],
      [cliActor(), "cli labels import", csv, 200, { labels: { "csv:t": { added: 1, removed: 0 } } }],
    ]);
  });
});
