/**
 * Amounts for people: base units shown with the asset's decimals and symbol, exactly (bigint
 * arithmetic, never a float): formatAmount(53000000n, 8, "BTC") === "0.53000000 BTC".
 * An asset whose decimals are unknown is shown in base units and says so.
 */
export function formatAmount(
  amount: bigint | string,
  decimals: number | null | undefined,
  symbol: string | null | undefined,
): string {
  const v = typeof amount === "bigint" ? amount : BigInt(amount);
  const unit = symbol?.trim() || "";
  if (decimals === null || decimals === undefined) {
    return [String(v), unit, "(base units)"].filter(Boolean).join(" ");
  }
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
    throw new RangeError(`decimals must be a whole number 0..77, got ${decimals}`);
  }
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const frac = decimals ? `.${(abs % scale).toString().padStart(decimals, "0")}` : "";
  return `${neg ? "-" : ""}${whole}${frac}${unit ? ` ${unit}` : ""}`;
}

/** Parses a decimal amount typed by a person ("0.53", "4000") into base units; exact or an error. */
export function parseAmount(text: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal amount: "${text.slice(0, 40)}"`);
  const frac = m[2] ?? "";
  if (frac.length > decimals) {
    throw new RangeError(`"${text.slice(0, 40)}" has more than ${decimals} decimal places`);
  }
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}
