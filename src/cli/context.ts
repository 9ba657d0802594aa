import type { Command } from "commander";
import { type Config, loadConfig } from "../config.ts";
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

  /** Opens the store and sources once; `extra` adds command options to the config (block range). */
  async open(extra: Record<string, unknown> = {}): Promise<Services> {
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
      progress: (d, t, w) => p.update(d, t, `importing default labels: ${w}`),
      // Retries as they happen ("esplora: 429 from mempool.space, retry 2/6 in 1.4 s"); silent under --json.
      onRetry: (e) => {
        if (!this.globals.json) this.io.stderr.write(`${e.message}\n`);
      },
    });
    return this.services;
  }

  /**
   * Runs a write (case, note, query) as one command. Branch h-server makes this the audited write
   * (row `cli <action>` by `cli:<os user>`, committed with the write) under the same signature.
   */
  async audited<T>(_action: string, _target: string, fn: (s: Services) => Promise<T>): Promise<T> {
    return fn(await this.open());
  }

  /** Keys that must never reach the terminal. */
  secrets(): (string | undefined)[] {
    return [this.config?.etherscanKey, ...(this.config?.apiKeys ?? [])];
  }

  close(): void {
    this.services?.close();
    this.services = undefined;
  }
}
