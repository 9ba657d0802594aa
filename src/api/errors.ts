import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../errors.ts";
import { BadInputError, FundtraceError, NotFoundError, quote, truncate } from "../errors.ts";
import type { Logger } from "../log.ts";

/** The one map from error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
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
  AUDIT_FAILED: 500,
  INTERNAL: 500,
};

/** 5xx codes whose message is fundtrace's own (no internals): said as is. */
const SAYABLE_5XX = new Set<ErrorCode>(["UPSTREAM_FAILED", "UPSTREAM_TIMEOUT", "AUDIT_FAILED"]);

/** A message is never longer than this, whatever a library's message quoted (see quote()). */
export const MESSAGE_MAX = 1000;

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Hono's own 4xx (a malformed JSON body) as our error: the first code the map gives that status. */
function fromHttpException(e: HTTPException): FundtraceError | undefined {
  if (e.status >= 500) return undefined;
  if (e.status === 400)
    return new BadInputError(`malformed request: ${e.message || "invalid body"}`, { cause: e });
  const code = (Object.keys(STATUS_BY_CODE) as ErrorCode[]).find((k) => STATUS_BY_CODE[k] === e.status);
  return new FundtraceError(code ?? "BAD_INPUT", e.message, { cause: e });
}

export function errorResponse(e: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  const err = e instanceof HTTPException ? fromHttpException(e) : e;
  if (err instanceof FundtraceError) {
    const status = STATUS_BY_CODE[err.code] ?? 500;
    // 5xx messages from the store may carry internals; keep them generic.
    const message = status >= 500 && !SAYABLE_5XX.has(err.code) ? "internal error" : err.message;
    return { status, body: { error: { code: err.code, message: truncate(message, MESSAGE_MAX) } } };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "internal error" } } };
}

/** The app's onError: every error a route, a validator or a middleware throws ends here. */
export function errorHandler(log: Logger | undefined) {
  return (e: Error, c: Context) => {
    const { status, body } = errorResponse(e);
    if (status >= 500)
      log?.error(
        { err: e instanceof FundtraceError ? e.message : String(e), path: c.req.path },
        "request failed",
      );
    return c.json(body, status);
  };
}

export function notFound(c: Context) {
  const { status, body } = errorResponse(new NotFoundError(`no route ${c.req.method} ${quote(c.req.path)}`));
  return c.json(body, status);
}
