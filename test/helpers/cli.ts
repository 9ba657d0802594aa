import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";

export const BIN = fileURLToPath(new URL("../../bin/fundtrace", import.meta.url));

/** Runs the CLI in-process with captured output. */
export async function runCli(
  args: string[],
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d) => {
    stdout += d;
  });
  err.on("data", (d) => {
    stderr += d;
  });
  const code = await main(args, { stdout: out, stderr: err, stdin: Readable.from([stdin]), isTTY: false });
  return { code, stdout, stderr };
}

/** Runs bin/fundtrace as a child process (what a user runs). */
export function runBin(
  args: string[],
  env: Record<string, string> = {},
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => {
      stdout += d;
    });
    p.stderr.on("data", (d) => {
      stderr += d;
    });
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}
