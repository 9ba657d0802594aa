import type { ErrorCode } from "../errors.ts";
import { FundtraceError } from "../errors.ts";

/** The one map from error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  INVALID_ADDRESS: 400,
  UNKNOWN_CHAIN: 400,
  LIMIT_EXCEEDED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UPSTREAM_FAILED: 502,
  UPSTREAM_TIMEOUT: 504,
  STORE_FAILED: 500,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorResponse(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof FundtraceError) {
    const status = STATUS_BY_CODE[e.code] ?? 500;
    // 5xx messages from the store may carry internals; keep them generic.
    const message =
      status >= 500 && e.code !== "UPSTREAM_FAILED" && e.code !== "UPSTREAM_TIMEOUT"
        ? "internal error"
        : e.message;
    return { status, body: { error: { code: e.code, message } } };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "internal error" } } };
}
