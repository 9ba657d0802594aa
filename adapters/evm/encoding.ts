/** EVM encodings both EVM adapters read: hex quantities, log topics, the ERC-20 Transfer log, ABI strings. */

/** keccak256("Transfer(address,address,uint256)"). */
export const TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

/** 0x-quantity → bigint (exact at any size). */
export function hexToBigInt(h: string): bigint {
  if (!/^0x[0-9a-fA-F]*$/.test(h)) throw new Error(`not a hex quantity: ${h.slice(0, 40)}`);
  return h === "0x" ? 0n : BigInt(h);
}

export function hexToNumber(h: string): number {
  const n = hexToBigInt(h);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`quantity too large: ${h}`);
  return Number(n);
}

export const toHex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** 32-byte word (topic or stack item, with or without 0x) → lower-case address in its low 20 bytes. */
export const wordToAddress = (t: string): string =>
  `0x${t.replace(/^0x/, "").padStart(40, "0").slice(-40)}`.toLowerCase();

/** 20-byte address → 32-byte topic. */
export const addressToTopic = (a: string): string => `0x${"0".repeat(24)}${a.slice(2).toLowerCase()}`;

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
  transactionHash: string;
  transactionIndex: string;
  blockNumber: string;
}

export interface Erc20Transfer {
  token: string;
  from: string;
  to: string;
  value: bigint;
  logIndex: number;
}

/**
 * An ERC-20 Transfer (three topics, one 32-byte word of data); ERC-721 Transfers index the token id
 * as a fourth topic and are not value moves of a fungible asset, so they are skipped.
 */
export function decodeErc20Transfer(
  log: Pick<RawLog, "address" | "topics" | "data" | "logIndex">,
): Erc20Transfer | undefined {
  if (log.topics.length !== 3 || log.topics[0]?.toLowerCase() !== TRANSFER_TOPIC) return undefined;
  if (!/^0x[0-9a-fA-F]{64}$/.test(log.data)) return undefined;
  return {
    token: log.address.toLowerCase(),
    from: wordToAddress(log.topics[1]!),
    to: wordToAddress(log.topics[2]!),
    value: hexToBigInt(log.data),
    logIndex: hexToNumber(log.logIndex),
  };
}

/** ABI-decodes a string or bytes32 return value (old tokens like MKR return bytes32 symbols). */
export function decodeAbiString(hex: string): string | null {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length === 64) {
    const bytes = Buffer.from(h, "hex");
    const end = bytes.indexOf(0);
    const s = bytes.subarray(0, end < 0 ? 32 : end).toString("utf8");
    return s.length > 0 ? s : null;
  }
  if (h.length < 128) return null;
  const offset = Number.parseInt(h.slice(0, 64), 16) * 2;
  const len = Number.parseInt(h.slice(offset, offset + 64), 16);
  if (!Number.isSafeInteger(len) || offset + 64 + len * 2 > h.length) return null;
  return Buffer.from(h.slice(offset + 64, offset + 64 + len * 2), "hex").toString("utf8");
}
