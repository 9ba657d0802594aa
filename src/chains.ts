import { createHash } from "node:crypto";
import * as bitcoin from "bitcoinjs-lib";
import bs58check from "bs58check";
import { encodeBase58, getAddress, isHexString } from "ethers";
import * as ecc from "tiny-secp256k1";
import { InvalidAddressError, UnknownChainError } from "./errors.ts";

// Taproot (bech32m) addresses need an ECC library to validate the x-only key.
bitcoin.initEccLib(ecc);

export type ChainFamily = "bitcoin" | "evm" | "tron" | "other";

export interface ChainInfo {
  name: string;
  family: ChainFamily;
  /** Native asset symbol and decimals. */
  symbol: string;
  decimals: number;
  chainId?: number;
  /** Only labels are kept for this chain; no adapter traces it yet. */
  labelOnly?: boolean;
  aliases?: string[];
}

const EVM_CHAINS: ChainInfo[] = [
  { name: "ethereum", family: "evm", symbol: "ETH", decimals: 18, chainId: 1, aliases: ["eth", "mainnet"] },
  {
    name: "bsc",
    family: "evm",
    symbol: "BNB",
    decimals: 18,
    chainId: 56,
    aliases: ["bnb", "binance-smart-chain"],
  },
  { name: "polygon", family: "evm", symbol: "POL", decimals: 18, chainId: 137, aliases: ["matic"] },
  { name: "arbitrum", family: "evm", symbol: "ETH", decimals: 18, chainId: 42161, aliases: ["arb"] },
  { name: "optimism", family: "evm", symbol: "ETH", decimals: 18, chainId: 10, aliases: ["op"] },
  { name: "base", family: "evm", symbol: "ETH", decimals: 18, chainId: 8453 },
  { name: "avalanche", family: "evm", symbol: "AVAX", decimals: 18, chainId: 43114, aliases: ["avax"] },
  { name: "ethereum-classic", family: "evm", symbol: "ETC", decimals: 18, chainId: 61, aliases: ["etc"] },
  { name: "anvil", family: "evm", symbol: "ETH", decimals: 18, chainId: 31337, aliases: ["localhost"] },
];

const OTHER_CHAINS: ChainInfo[] = [
  ["litecoin", "LTC", 8],
  ["bitcoin-cash", "BCH", 8],
  ["bitcoin-sv", "BSV", 8],
  ["bitcoin-gold", "BTG", 8],
  ["dash", "DASH", 8],
  ["zcash", "ZEC", 8],
  ["dogecoin", "DOGE", 8],
  ["monero", "XMR", 12],
  ["ripple", "XRP", 6],
  ["solana", "SOL", 9],
  ["verge", "XVG", 6],
  ["bnb-beacon", "BNB", 8],
].map(([name, symbol, decimals]) => ({
  name: name as string,
  family: "other" as const,
  symbol: symbol as string,
  decimals: decimals as number,
  labelOnly: true,
}));

export const CHAINS: readonly ChainInfo[] = [
  { name: "bitcoin", family: "bitcoin", symbol: "BTC", decimals: 8, aliases: ["btc", "xbt"] },
  ...EVM_CHAINS,
  { name: "tron", family: "tron", symbol: "TRX", decimals: 6, aliases: ["trx"] },
  ...OTHER_CHAINS,
];

const byName = new Map<string, ChainInfo>();
for (const c of CHAINS) {
  byName.set(c.name, c);
  for (const a of c.aliases ?? []) byName.set(a, c);
}

export function chainNames(): string[] {
  return CHAINS.map((c) => c.name);
}

export function getChain(name: string): ChainInfo {
  const c = byName.get(name.trim().toLowerCase());
  if (!c) throw new UnknownChainError(name, chainNames());
  return c;
}

/** Chains whose addresses are the same key space (all EVM chains share addresses). */
export function sameAddressSpace(chain: string): string[] {
  const c = getChain(chain);
  return c.family === "evm" ? EVM_CHAINS.map((x) => x.name) : [c.name];
}

/** Bitcoin mainnet: the only network fundtrace reads (the local demo chain uses mainnet addresses too). */
const bitcoinNetwork: bitcoin.Network = bitcoin.networks.bitcoin;
export function getBitcoinNetwork(): bitcoin.Network {
  return bitcoinNetwork;
}

function validateBitcoin(address: string): string {
  const net = bitcoinNetwork;
  const lower = address.toLowerCase();
  if (lower.startsWith(`${net.bech32}1`)) {
    if (address !== lower && address !== address.toUpperCase()) {
      throw new InvalidAddressError("bitcoin", address, "bech32 address mixes upper and lower case");
    }
    let dec: { version: number; prefix: string; data: Uint8Array };
    try {
      dec = bitcoin.address.fromBech32(lower);
    } catch (cause) {
      throw new InvalidAddressError("bitcoin", address, "bad bech32/bech32m checksum or encoding", { cause });
    }
    try {
      bitcoin.address.toOutputScript(lower, net);
    } catch (cause) {
      throw new InvalidAddressError("bitcoin", address, `unsupported witness program (v${dec.version})`, {
        cause,
      });
    }
    return lower;
  }
  let payload: Uint8Array;
  try {
    payload = bs58check.decode(address);
  } catch (cause) {
    const reason = /^[1-9A-HJ-NP-Za-km-z]+$/.test(address)
      ? "bad base58check checksum"
      : "not a base58 or bech32 address";
    throw new InvalidAddressError("bitcoin", address, reason, { cause });
  }
  if (payload.length !== 21) throw new InvalidAddressError("bitcoin", address, "wrong payload length");
  const version = payload[0];
  if (version !== net.pubKeyHash && version !== net.scriptHash) {
    throw new InvalidAddressError(
      "bitcoin",
      address,
      `version byte 0x${version?.toString(16)} is not this network's`,
    );
  }
  return address;
}

function validateEvm(chain: string, address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address) || !isHexString(address)) {
    throw new InvalidAddressError(chain, address, "not 0x followed by 40 hex digits");
  }
  const body = address.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed) {
    let checksummed: string;
    try {
      checksummed = getAddress(address);
    } catch (cause) {
      throw new InvalidAddressError(chain, address, "bad EIP-55 checksum", { cause });
    }
    if (checksummed !== address) throw new InvalidAddressError(chain, address, "bad EIP-55 checksum");
  }
  return address.toLowerCase();
}

/** Tron's address version byte (java-tron ADD_PRE_FIX_BYTE_MAINNET). */
const TRON_PREFIX = 0x41;
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Conversions seen before: a history names the same few addresses thousands of times. */
const b58Cache = new Map<string, string>();
const hexCache = new Map<string, string>();
const remember = (m: Map<string, string>, k: string, v: string) => {
  if (m.size >= 100_000) m.clear();
  m.set(k, v);
  return v;
};

/** Base58check of a Tron address given as 21 bytes (`41…`) or its 20-byte body. */
export function tronBase58(bytes: Uint8Array): string {
  const full =
    bytes.length === 20 ? Uint8Array.from([TRON_PREFIX, ...bytes]) : bytes.length === 21 ? bytes : undefined;
  if (!full || full[0] !== TRON_PREFIX)
    throw new InvalidAddressError("tron", hexOf(bytes), "not 21 bytes 41…");
  const key = hexOf(full);
  const hit = b58Cache.get(key);
  if (hit) return hit;
  // node's sha256 for the checksum: bs58check's pure-JS hash is the cost of a long history
  const sum = createHash("sha256").update(createHash("sha256").update(full).digest()).digest();
  return remember(b58Cache, key, encodeBase58(Buffer.concat([full, sum.subarray(0, 4)])));
}

/** `41…` + 40 lower-case hex digits: the form inside transactions (raw_data, internal transactions). */
export function tronHex(base58: string): string {
  return hexCache.get(base58) ?? remember(hexCache, base58, hexOf(bs58check.decode(base58)));
}

/** Base58 from the hex forms answers use (`41…`, `0x…`, or 20 bytes of a log topic/address). */
export function tronFromHex(hex: string): string {
  const h = hex.replace(/^0x/i, "");
  if (!/^(41)?[0-9a-fA-F]{40}$/.test(h)) throw new InvalidAddressError("tron", hex, "not a hex Tron address");
  return tronBase58(Buffer.from(h.slice(-40), "hex"));
}

/**
 * Tron: base58check `T…` is kept exactly as given (it is case-sensitive: never lower-cased); the hex
 * forms `41…` (21 bytes) and `0x…` (the 20-byte body, as in EVM tools) are turned into base58.
 */
function validateTron(address: string): string {
  if (/^0x[0-9a-fA-F]*$/i.test(address)) {
    if (address.length !== 42)
      throw new InvalidAddressError("tron", address, "0x form must be 40 hex digits");
    return tronBase58(Buffer.from(address.slice(2), "hex"));
  }
  if (/^[0-9a-fA-F]{42}$/.test(address)) {
    if (!address.startsWith("41"))
      throw new InvalidAddressError("tron", address, "hex form must start with the prefix 41");
    return tronBase58(Buffer.from(address, "hex"));
  }
  let payload: Uint8Array;
  try {
    payload = bs58check.decode(address);
  } catch (cause) {
    const reason = /^[1-9A-HJ-NP-Za-km-z]+$/.test(address)
      ? "bad base58check checksum"
      : "not a base58check or hex Tron address";
    throw new InvalidAddressError("tron", address, reason, { cause });
  }
  if (payload.length !== 21 || payload[0] !== TRON_PREFIX) {
    throw new InvalidAddressError("tron", address, "not a Tron address (expected 0x41 prefix, 21 bytes)");
  }
  return address;
}

function validateOther(chain: string, address: string): string {
  if (!/^[0-9A-Za-z:._-]{8,128}$/.test(address)) {
    throw new InvalidAddressError(chain, address, "contains characters no address has");
  }
  return address;
}

const MAX_ADDRESS_LENGTH = 128;

/** Validates and normalises an address; throws InvalidAddressError naming what is wrong. */
export function normalizeAddress(chain: string, address: string): string {
  const c = getChain(chain);
  const a = address.trim();
  if (a === "") throw new InvalidAddressError(c.name, address, "empty");
  // no address is longer (bech32: 90); base58 decoding a huge string would take quadratic time
  if (a.length > MAX_ADDRESS_LENGTH)
    throw new InvalidAddressError(c.name, address, "longer than any address");
  switch (c.family) {
    case "bitcoin":
      return validateBitcoin(a);
    case "evm":
      return validateEvm(c.name, a);
    case "tron":
      return validateTron(a);
    default:
      return validateOther(c.name, a);
  }
}

export function isValidAddress(chain: string, address: string): boolean {
  try {
    normalizeAddress(chain, address);
    return true;
  } catch {
    return false;
  }
}

/** Which chain an address published under a currency code (OFAC XBT/ETH/USDT/TRX…) belongs to. */
export function chainForCurrency(currency: string, address: string): string | null {
  const cur = currency.trim().toUpperCase();
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) {
    const m: Record<string, string> = {
      BSC: "bsc",
      BNB: "bsc",
      ARB: "arbitrum",
      ETC: "ethereum-classic",
      MATIC: "polygon",
      AVAX: "avalanche",
    };
    return m[cur] ?? "ethereum";
  }
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address)) return "tron";
  const m: Record<string, string> = {
    XBT: "bitcoin",
    BTC: "bitcoin",
    LTC: "litecoin",
    BCH: "bitcoin-cash",
    BSV: "bitcoin-sv",
    BTG: "bitcoin-gold",
    DASH: "dash",
    ZEC: "zcash",
    DOGE: "dogecoin",
    XMR: "monero",
    XRP: "ripple",
    SOL: "solana",
    BNB: "bnb-beacon",
    XVG: "verge",
    TRX: "tron",
  };
  return m[cur] ?? null;
}
