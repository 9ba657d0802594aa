import type { Writable } from "node:stream";

export interface IO {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream;
  isTTY: boolean;
}

export function defaultIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** JSON with bigint as decimal strings (money never becomes a JS number). */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x), 2);
}

/** A plain text table: columns padded to the widest cell. */
export function table(headers: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n") + "\n";
}

/** Progress on stderr: a bar on a terminal, occasional lines otherwise, nothing under --json. */
export class ProgressReporter {
  private last = 0;
  constructor(
    private readonly io: IO,
    private readonly quiet: boolean,
  ) {}
  update(done: number, total: number, what: string): void {
    if (this.quiet) return;
    const now = Date.now();
    if (this.io.isTTY) {
      const width = 30;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
      this.io.stderr.write(`\r[${bar}] ${done}/${total} ${what}`.slice(0, 120).padEnd(120));
      if (done >= total) this.io.stderr.write("\n");
    } else if (done >= total || now - this.last > 2000 || done === 0) {
      this.io.stderr.write(`progress ${done}/${total} ${what}\n`);
      this.last = now;
    }
  }
}
