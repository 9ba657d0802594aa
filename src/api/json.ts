import { jsonSafe } from "../json.ts";

/** T as JSON carries it: bigint amounts become decimal strings. */
export type Json<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** A service result as the JSON body the response schema describes. */
export function toJson<T>(v: T): Json<T> {
  return jsonSafe(v) as Json<T>;
}
