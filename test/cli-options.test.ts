import { describe, expect, it } from "vitest";
import { PORT } from "../src/cli/options.ts";
import { loadConfig } from "../src/config.ts";
import { parseNumberOption } from "../src/number-option.ts";
import { runCli } from "./helpers/cli.ts";

describe("the CLI's one number-option parser", () => {
  it("accepts exactly the written numbers in range", () => {
    expect(parseNumberOption("--hops", "4")).toBe(4);
    expect(parseNumberOption("--port", "0", PORT)).toBe(0);
    expect(parseNumberOption("--port", " 65535 ", PORT)).toBe(65535);
    expect(parseNumberOption("--rps", "0.5", { positive: true, fraction: true })).toBe(0.5);
    expect(parseNumberOption("--from-block", "19000000", { min: 0 })).toBe(19_000_000);
  });

  it("names the flag, what it wants and what it got", () => {
    const bad: [string, string, Parameters<typeof parseNumberOption>[2], string][] = [
      ["--hops", "2.5", {}, '--hops must be a whole number, got "2.5"'],
      ["--hops", "", {}, '--hops must be a whole number, got ""'],
      ["--hops", "0x10", {}, '--hops must be a whole number, got "0x10"'],
      ["--hops", "1e3", {}, '--hops must be a whole number, got "1e3"'],
      ["--port", "65536", PORT, '--port must be 0..65535, got "65536"'],
      ["--limit", "0", { min: 1 }, '--limit must be a whole number ≥ 1, got "0"'],
      ["--rps", "0", { positive: true, fraction: true }, '--rps must be a positive number, got "0"'],
      ["--chain-id", "1.5", { positive: true }, '--chain-id must be a positive whole number, got "1.5"'],
      [
        "--to-block",
        "99999999999999999999",
        { min: 0 },
        '--to-block must be a whole number ≥ 0, got "99999999999999999999"',
      ],
    ];
    for (const [flag, raw, rule, message] of bad) {
      expect(() => parseNumberOption(flag, raw, rule)).toThrow(message);
    }
  });

  it("reads numeric environment settings through the same parser, naming the variable", () => {
    const env = { FUNDTRACE_HTTP_TIMEOUT_MS: "2500", FUNDTRACE_EVM_CONFIRMATIONS: "0" };
    const c = loadConfig({}, env);
    expect([c.httpTimeoutMs, c.evmConfirmations, c.maxRetries]).toEqual([2500, 0, 6]);
    expect(() => loadConfig({}, { FUNDTRACE_HTTP_TIMEOUT_MS: "20s" })).toThrow(
      'FUNDTRACE_HTTP_TIMEOUT_MS must be a positive number, got "20s"',
    );
    expect(() => loadConfig({}, { FUNDTRACE_EVM_CONFIRMATIONS: "-1" })).toThrow(
      'FUNDTRACE_EVM_CONFIRMATIONS must be a whole number ≥ 0, got "-1"',
    );
  });

  it("fails a command with exit 2 before it touches anything", async () => {
    const r = await runCli(["--db", "/nonexistent/dir/x.duckdb", "serve", "--port", "http"]);
    expect(r).toEqual({ code: 2, stdout: "", stderr: 'fundtrace: --port must be 0..65535, got "http"\n' });
    const j = await runCli(["--json", "--rps", "fast", "labels", "list"]);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stderr)).toEqual({
      error: { code: "BAD_INPUT", message: '--rps must be a positive number, got "fast"' },
    });
  });
});
