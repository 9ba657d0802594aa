import { parseArgs } from "node:util";
import { type NumberRule, parseNumberOption } from "../src/number-option.ts";

/** A bench's command line, read by node's parseArgs: unknown options fail instead of being ignored. */
export interface BenchArgs {
  /** A numeric option through the CLI's one number parser (whole numbers ≥ 0 unless the rule says). */
  num(name: string, fallback: number, rule?: NumberRule): number;
  str(name: string): string | undefined;
  flag(name: string): boolean;
  /** The first positional argument as a whole number (N, the size of the store). */
  size(fallback: number, rule?: NumberRule): number;
  positionals: string[];
}

/** `valued`: options that take a value (`--runs 3`); `flags`: options without one (`--no-sql`). */
export function benchArgs(args: string[], valued: string[], flags: string[] = []): BenchArgs {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const v of valued) options[v] = { type: "string" };
  for (const f of flags) options[f] = { type: "boolean" };
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const whole: NumberRule = { min: 0 };
  return {
    num: (name, fallback, rule = whole) => {
      const raw = values[name];
      return typeof raw === "string" ? parseNumberOption(`--${name}`, raw, rule) : fallback;
    },
    str: (name) => {
      const raw = values[name];
      return typeof raw === "string" ? raw : undefined;
    },
    flag: (name) => values[name] === true,
    size: (fallback, rule = whole) =>
      positionals[0] === undefined ? fallback : parseNumberOption("N", positionals[0], rule),
    positionals,
  };
}
