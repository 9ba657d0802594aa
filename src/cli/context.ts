import type { Command } from "commander";
import { keySecrets } from "../api/auth.ts";
import { STATUS_BY_CODE } from "../api/errors.ts";
import { type Config, isOffline, loadConfig } from "../config.ts";
import { FundtraceError } from "../errors.ts";
import { cliActor } from "../services/audit.ts";
import { createServices, type Services } from "../services/index.ts";
import { type IO, ProgressReporter, toJson } from "./output.ts";

/** The global options, as commander hands them over (numbers already parsed). */
export interface GlobalOpts {
  db?: string;
  json?: boolean;
  esploraUrl?: string;
  evmRpcUrl?: string;
  etherscanUrl?: string;
  etherscanKey?: string;
  etherscanFlavor?: string;
  tronUrl?: string;
  tronNodeUrl?: string;
  rps?: number;
  chainId?: number;
  defaultLabels?: boolean;
  offline?: boolean;
}

/** One CLI run: its output, its global options and the services it opened (at most once). */
export class Cli {
  private services: Services | undefined;
  config: Config | undefined;
  /** Set by a command that ran but wants another code than 0 (3: something to act on). */
  exitCode: number | undefined;

  constructor(
    readonly io: IO,
    readonly program: Command,
  ) {}

  get globals(): GlobalOpts {
    return this.program.opts<GlobalOpts>();
  }

  get json(): boolean {
    return Boolean(this.globals.json);
  }

  write(s: string): void {
    this.io.stdout.write(s);
  }

  /** The JSON document under --json (the same as the API's), the text otherwise. */
  out(json: unknown, text: () => string): void {
    this.write(this.json ? `${toJson(json)}\n` : text());
  }

  progress(): ProgressReporter {
    return new ProgressReporter(this.io, this.json);
  }

  /**
   * Opens the store and sources once; `extra` adds command options to the config (block range).
   * A command that only reads says so (`readOnly`): the file is then opened read-only when it can be.
   */
  async open(extra: Record<string, unknown> = {}, mode: { readOnly?: boolean } = {}): Promise<Services> {
    if (this.services) return this.services;
    const g = this.globals;
    // commander sets defaultLabels=true unless --no-default-labels: only the flag may override the env
    this.config = loadConfig({
      ...g,
      defaultLabels: g.defaultLabels === false ? false : undefined,
      evmChainId: g.chainId,
      ...extra,
    });
    const p = this.progress();
    this.services = await createServices(this.config, {
      readOnly: mode.readOnly,
      progress: (d, t, w) => p.update(d, t, `importing default labels: ${w}`),
      // Retries as they happen ("esplora: 429 from mempool.space, retry 2/6 in 1.4 s"); silent under --json.
      onRetry: (e) => {
        if (!this.globals.json) this.io.stderr.write(`${e.message}\n`);
      },
    });
    return this.services;
  }

  /** Opens the store for a command that only reads (read-only when the file allows it). */
  reading(extra: Record<string, unknown> = {}): Promise<Services> {
    return this.open(extra, { readOnly: true });
  }

  /** Whether upstream sources are off (--offline or FUNDTRACE_OFFLINE): a trace then only reads. */
  get offline(): boolean {
    return isOffline(this.globals.offline);
  }

  /**
   * Runs a write (case, note, query, label import) as one audited command: its row (actor
   * `cli:<os user>`, `cli <action>`, the target, the status the API would answer) commits with the
   * write; a write whose row cannot be written is rolled back and the command fails.
   */
  async audited<T>(action: string, target: string, fn: (s: Services) => Promise<T>): Promise<T> {
    const s = await this.open();
    const w = s.audit.open({ keyId: cliActor(), action: `cli ${action}`, target: () => target });
    let r: T;
    try {
      r = await w.run(() => fn(s));
    } catch (e) {
      const status = e instanceof FundtraceError ? (STATUS_BY_CODE[e.code] ?? 500) : 500;
      await w.finish(status).catch(() => undefined);
      throw e;
    }
    try {
      await w.finish(200);
    } catch (e) {
      // the write and its row are in; only the row's status is missing
      if (!w.written) throw e;
    }
    return r;
  }

  /** Keys that must never reach the terminal. */
  secrets(): (string | undefined)[] {
    return [this.config?.etherscanKey, this.config?.tronKey, ...keySecrets(this.config?.apiKeys ?? [])];
  }

  close(): void {
    this.services?.close();
    this.services = undefined;
  }
}
