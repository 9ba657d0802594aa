/**
 * TronGrid and java-tron print int64 amounts (sun, token units) as JSON numbers; above 2^53 a plain
 * JSON.parse would round them. Integers beyond the safe range become bigints, the rest numbers.
 */
import { isSafeNumber, parse } from "lossless-json";

const number = (v: string): number | bigint =>
  isSafeNumber(v) || !/^-?[0-9]+$/.test(v) ? Number(v) : BigInt(v);

/** A number literal of 16+ digits in value position: only then is the slow exact parser needed. */
const LONG_NUMBER = /[:[,]\s*-?[0-9]{16,}/;

export function parseTronJson(text: string): unknown {
  return LONG_NUMBER.test(text) ? parse(text, null, number) : JSON.parse(text);
}

/** An amount as given (number, bigint or decimal string) as a bigint; undefined when absent. */
export function toBig(v: unknown): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return BigInt(v);
  throw new TypeError(`not an integer amount: ${String(v)}`);
}
