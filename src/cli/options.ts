import { type NumberRule, parseNumberOption } from "../number-option.ts";

/** A commander argParser: the option's value arrives as a number, or the command fails with exit 2. */
export function numberArg(flag: string, rule: NumberRule = {}): (raw: string) => number {
  return (raw) => parseNumberOption(flag, raw, rule);
}

export const PORT: NumberRule = { min: 0, max: 65535 };

/** `a, b,,c` → ["a", "b", "c"]. */
export function listArg(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}
