import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const db = join(tempDir(), "usage.duckdb");

describe("usage errors", () => {
  it("print the wrong line and the command's usage, not the whole help", async () => {
    const r = await runCli(["--db", db, "trace", "bitcoin"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: missing required argument 'addresses'\n" +
        "usage: fundtrace trace [options] <chain> <addresses...>\n" +
        "(fundtrace trace --help for more)\n",
    );
    const sub = await runCli(["--db", db, "query", "rename", "a"]);
    expect(sub.stderr).toBe(
      "error: missing required argument 'newName'\n" +
        "usage: fundtrace query rename [options] <name> <newName>\n" +
        "(fundtrace query rename --help for more)\n",
    );
    const choice = await runCli(["--db", db, "screen", "--format", "xlsx"]);
    expect(choice.code).toBe(2);
    expect(choice.stderr.split("\n")).toEqual([
      "error: option '--format <format>' argument 'xlsx' is invalid. Allowed choices are table, csv.",
      "usage: fundtrace screen [options] [file]",
      "(fundtrace screen --help for more)",
      "",
    ]);
    const top = await runCli(["--bogus"]);
    expect(top.stderr).not.toContain("Commands:");
  });
});
