/** Address checks for bulk label imports: a fast path for mainnet Bitcoin addresses, and skip reasons. */
import { hash } from "node:crypto";
import { getBitcoinNetwork, normalizeAddress } from "../chains.ts";
import { InvalidAddressError } from "../errors.ts";

/** "invalid bitcoin address: bad checksum" (the address itself is kept next to the reason). */
export function addressErrorReason(e: unknown): string {
  if (e instanceof InvalidAddressError) {
    const prefix = `invalid ${e.chain} address "${e.address}": `;
    const why = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return `invalid ${e.chain} address: ${why}`;
  }
  return e instanceof Error ? e.message : String(e);
}

// ---------- fast Bitcoin check ----------
// bitcoinjs/bs58check validation costs 10-70us per address; this mirrors it for the common shapes
// (base58 P2PKH/P2SH, bech32 v0) and returns null for anything else so normalizeAddress decides.

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const B58_MAP = new Int8Array(128).fill(-1);
for (let i = 0; i < B58.length; i++) B58_MAP[B58.charCodeAt(i)] = i;
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_MAP = new Int8Array(128).fill(-1);
for (let i = 0; i < BECH32.length; i++) BECH32_MAP[BECH32.charCodeAt(i)] = i;
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymodStep(chk: number, v: number): number {
  const top = chk >>> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ v;
  for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  return chk;
}

const LIMB = 2 ** 24;
const LIMBS = new Float64Array(9); // 216-bit accumulator, 24-bit limbs, 4 base58 digits per step
const POW58 = [1, 58, 58 ** 2, 58 ** 3, 58 ** 4];

/** base58 -> exactly 25 bytes as base-x decodes it, else null. */
function base58Decode25(s: string): Uint8Array | null {
  LIMBS.fill(0);
  for (let i = 0; i < s.length; ) {
    const n = Math.min(4, s.length - i);
    let carry = 0;
    for (let k = 0; k < n; k++, i++) {
      const code = s.charCodeAt(i);
      const v = code < 128 ? B58_MAP[code]! : -1;
      if (v < 0) return null;
      carry = carry * 58 + v;
    }
    const mul = POW58[n]!;
    for (let j = 8; j >= 0; j--) {
      const x = LIMBS[j]! * mul + carry;
      carry = Math.floor(x / LIMB);
      LIMBS[j] = x - carry * LIMB;
    }
    if (carry !== 0) return null;
  }
  if (LIMBS[0]! >= 256) return null; // value must fit in 25 bytes
  const out = new Uint8Array(25);
  out[0] = LIMBS[0]!;
  for (let j = 1, o = 1; j < 9; j++, o += 3) {
    const v = LIMBS[j]!;
    out[o] = v >>> 16;
    out[o + 1] = (v >>> 8) & 255;
    out[o + 2] = v & 255;
  }
  let zeros = 0;
  while (s.charCodeAt(zeros) === 49) zeros++;
  let lead = 0;
  while (lead < 25 && out[lead] === 0) lead++;
  // base-x output is one zero byte per leading '1' plus the value's bytes: 25 long iff these match
  return lead === zeros ? out : null;
}

function fastBitcoin(a: string): string | null {
  const net = getBitcoinNetwork();
  const hrp = net.bech32;
  if (a.length < 14 || a.length > 90) return null;
  if (a.slice(0, hrp.length + 1).toLowerCase() === `${hrp}1`) {
    if (!a.startsWith(`${hrp}1`)) return null;
    // lower-case bech32 witness v0 (P2WPKH 20 bytes / P2WSH 32 bytes)
    const dataLen = a.length - hrp.length - 1;
    const words = dataLen - 6 - 1;
    if (a.charCodeAt(hrp.length + 1) !== 113 /* q */ || (words !== 32 && words !== 52)) return null;
    let chk = 1;
    for (let i = 0; i < hrp.length; i++) chk = polymodStep(chk, hrp.charCodeAt(i) >> 5);
    chk = polymodStep(chk, 0);
    for (let i = 0; i < hrp.length; i++) chk = polymodStep(chk, hrp.charCodeAt(i) & 31);
    let last = 0;
    for (let i = hrp.length + 1; i < a.length; i++) {
      const code = a.charCodeAt(i);
      const v = code < 128 ? BECH32_MAP[code]! : -1;
      if (v < 0) return null;
      chk = polymodStep(chk, v);
      if (i === a.length - 7) last = v;
    }
    if (chk !== 1) return null;
    if (words === 52 && (last & 0xf) !== 0) return null; // non-zero padding
    return a;
  }
  if (a.length > 35) return null;
  const raw = base58Decode25(a);
  if (!raw) return null;
  const version = raw[0];
  if (version !== net.pubKeyHash && version !== net.scriptHash) return null;
  const payload = raw.subarray(0, 21);
  const h = hash("sha256", hash("sha256", payload, "buffer"), "buffer");
  if (h[0] !== raw[21] || h[1] !== raw[22] || h[2] !== raw[23] || h[3] !== raw[24]) return null;
  return a;
}

/** normalizeAddress with a faster path for valid mainnet-style Bitcoin addresses. */
export function normalizeTagAddress(chain: string, address: string): string {
  if (chain === "bitcoin") {
    const r = fastBitcoin(address);
    if (r !== null) return r;
  }
  return normalizeAddress(chain, address);
}
