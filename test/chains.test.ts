import { describe, expect, it } from "vitest";
import { chainForCurrency, getChain, normalizeAddress, sameAddressSpace } from "../src/chains.ts";
import { InvalidAddressError, UnknownChainError } from "../src/errors.ts";

describe("chain registry and address validation", () => {
  it("accepts real mainnet Bitcoin addresses of every type and normalises bech32 to lower case", () => {
    expect(normalizeAddress("bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toBe(
      "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    );
    expect(normalizeAddress("bitcoin", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")).toBe(
      "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    );
    expect(normalizeAddress("btc", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ")).toBe(
      "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    );
    // BIP-350 test vector (taproot, bech32m)
    expect(
      normalizeAddress("bitcoin", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
    ).toBe("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
  });

  it("rejects bad checksums and names the address and the reason", () => {
    expect(() => normalizeAddress("bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")).toThrowError(
      /invalid bitcoin address "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb": bad base58check checksum/,
    );
    expect(() => normalizeAddress("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr")).toThrowError(
      /bech32/,
    );
    // a bech32 (v0) checksum on a v1 program is invalid under BIP-350
    expect(() =>
      normalizeAddress("bitcoin", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"),
    ).toThrow(InvalidAddressError);
    expect(() => normalizeAddress("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzWF5MDQ")).toThrowError(
      /mixes upper and lower/,
    );
    expect(() => normalizeAddress("bitcoin", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).toThrow(
      InvalidAddressError,
    );
    // testnet address on mainnet
    expect(() => normalizeAddress("bitcoin", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn")).toThrowError(
      /version byte/,
    );
  });

  it("checks EIP-55 only on mixed case and stores EVM addresses lower-case", () => {
    expect(normalizeAddress("ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).toBe(
      "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    );
    expect(normalizeAddress("ethereum", "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED")).toBe(
      "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    );
    expect(() => normalizeAddress("ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")).toThrowError(
      /bad EIP-55 checksum/,
    );
    expect(() => normalizeAddress("ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae")).toThrowError(
      /40 hex digits/,
    );
  });

  it("validates Tron base58check addresses", () => {
    expect(normalizeAddress("tron", "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ")).toBe(
      "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ",
    );
    expect(() => normalizeAddress("tron", "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnK")).toThrowError(/checksum/);
    expect(() => normalizeAddress("tron", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toThrowError(/0x41/);
  });

  it("knows chains by name and alias and rejects unknown ones", () => {
    expect(getChain("ETH").name).toBe("ethereum");
    expect(getChain("xbt").name).toBe("bitcoin");
    expect(() => getChain("dogechain")).toThrow(UnknownChainError);
    expect(sameAddressSpace("bsc")).toContain("ethereum");
    expect(sameAddressSpace("bitcoin")).toEqual(["bitcoin"]);
  });

  it("maps OFAC currency codes to chains", () => {
    expect(chainForCurrency("XBT", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toBe("bitcoin");
    expect(chainForCurrency("USDT", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")).toBe("ethereum");
    expect(chainForCurrency("USDT", "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ")).toBe("tron");
    expect(chainForCurrency("BSC", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")).toBe("bsc");
    expect(chainForCurrency("XMR", "4xyz")).toBe("monero");
    expect(chainForCurrency("FOO", "abc")).toBeNull();
  });
});
