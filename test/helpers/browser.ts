import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { BIN } from "./cli.ts";

/** Debian's chromium (.ci/run installs it); playwright never downloads a browser here. */
export const CHROMIUM = process.env.FUNDTRACE_CHROMIUM ?? "/usr/bin/chromium";
/** Screenshots the browser tests keep (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

/**
 * Headless Chromium as the machine notes require: no sandbox (root), no GPU, and no background
 * networking (this machine's closed network refuses it); playwright gives it a fresh profile.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set FUNDTRACE_CHROMIUM)`);
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface Watched {
  page: Page;
  /** console errors and uncaught exceptions */
  errors: string[];
  /** every URL the page asked for */
  requests: string[];
}

/** A page that records its console errors, uncaught exceptions and every request it makes. */
export async function watchedPage(browser: Browser): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const w: Watched = { page, errors: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error") w.errors.push(m.text());
  });
  page.on("pageerror", (e) => w.errors.push(`uncaught: ${e.message}`));
  page.on("request", (r) => w.requests.push(r.url()));
  return w;
}

export interface Served {
  url: string;
  /** The server's process id. */
  pid: number;
  stderr: () => string;
  /** SIGTERM, and SIGKILL after `graceMs` when given; true when it exited by itself. */
  stop(graceMs?: number): Promise<boolean>;
}

/** `fundtrace serve` as a user runs it (bin/fundtrace), on any free port; resolves once it listens. */
export function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const p: ChildProcess = spawn(BIN, [...args, "serve", "--port", "0"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const stop = (graceMs?: number) =>
      new Promise<boolean>((done) => {
        if (p.exitCode !== null || p.signalCode !== null) return done(true);
        let killed = false;
        const kill = () => {
          killed = true;
          p.kill("SIGKILL");
        };
        const timer = graceMs === undefined ? undefined : setTimeout(kill, graceMs);
        p.once("exit", () => {
          clearTimeout(timer);
          done(!killed);
        });
        p.kill("SIGTERM");
      });
    let listening = false;
    p.stderr!.on("data", (d) => {
      err += d;
      // once listening, the request log only accumulates (a search per chunk would rescan it all)
      if (listening) return;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        listening = true;
        resolve({ url: m[1]!, pid: p.pid!, stderr: () => err, stop });
      }
    });
    p.once("exit", (code) => reject(new Error(`fundtrace serve exited ${code}: ${err}`)));
  });
}
