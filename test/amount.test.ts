import { describe, expect, it } from "vitest";
import { formatAmount, parseAmount } from "../src/core/amount.ts";

describe("amounts for people", () => {
  it("shows base units with the asset's decimals and symbol, exactly", () => {
    expect(formatAmount(53_000_000n, 8, "BTC")).toBe("0.53000000 BTC");
    expect(formatAmount("4000000000", 6, "USDT")).toBe("4000.000000 USDT");
    expect(formatAmount(10n ** 24n + 1n, 18, "ETH")).toBe("1000000.000000000000000001 ETH");
    expect(formatAmount(0n, 6, "TRX")).toBe("0.000000 TRX");
    expect(formatAmount(-150n, 2, "X")).toBe("-1.50 X");
    expect(formatAmount(7n, 0, "NFT")).toBe("7 NFT");
  });
  it("says base units when the decimals are unknown", () => {
    expect(formatAmount(123n, null, "0xdead")).toBe("123 0xdead (base units)");
    expect(formatAmount(123n, undefined, null)).toBe("123 (base units)");
  });
  it("parses a typed decimal amount into base units, refusing what it cannot represent", () => {
    expect(parseAmount("0.53", 8)).toBe(53_000_000n);
    expect(parseAmount("4000", 6)).toBe(4_000_000_000n);
    expect(() => parseAmount("0.123", 2)).toThrow(/more than 2 decimal places/);
    expect(() => parseAmount("1e5", 8)).toThrow(/not a decimal amount/);
    expect(parseAmount(formatAmount(987654321n, 8, null), 8)).toBe(987654321n);
  });
});
