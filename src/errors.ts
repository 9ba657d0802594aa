/** Stable error codes; the API maps them to HTTP statuses in one place (src/api/errors.ts). */
export type ErrorCode =
  | "BAD_INPUT"
  | "INVALID_ADDRESS"
  | "UNKNOWN_CHAIN"
  | "LIMIT_EXCEEDED"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "UPSTREAM_FAILED"
  | "UPSTREAM_TIMEOUT"
  | "STORE_FAILED"
  | "AUDIT_FAILED"
  | "INTERNAL";

/** At most this many characters of any input are quoted in a message. */
export const QUOTE_MAX = 200;

/**
 * Input quoted in a message: `"value"`, cut to QUOTE_MAX characters with `…(N chars)` telling its
 * length, so a 10 MB name never comes back in a 10 MB error.
 */
export function quote(input: unknown): string {
  return `"${truncate(String(input))}"`;
}

/** The text cut to `max` characters, with `…(N chars)` telling its full length. */
export function truncate(s: string, max = QUOTE_MAX): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length} chars)`;
}

export interface ErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class FundtraceError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** Input the user gave is wrong; nothing was changed. */
export class BadInputError extends FundtraceError {
  constructor(message: string, options: ErrorOptions = {}, code: ErrorCode = "BAD_INPUT") {
    super(code, message, options);
  }
}

export class InvalidAddressError extends BadInputError {
  readonly chain: string;
  readonly address: string;
  constructor(chain: string, address: string, reason: string, options: ErrorOptions = {}) {
    super(`invalid ${chain} address ${quote(address)}: ${reason}`, options, "INVALID_ADDRESS");
    this.chain = chain;
    this.address = address;
  }
}

export class UnknownChainError extends BadInputError {
  constructor(chain: string, known: readonly string[]) {
    super(`unknown chain ${quote(chain)} (known: ${known.join(", ")})`, {}, "UNKNOWN_CHAIN");
  }
}

export class NotFoundError extends FundtraceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super("NOT_FOUND", message, options);
  }
}

export class ConflictError extends FundtraceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super("CONFLICT", message, options);
  }
}

/** An upstream data source (Esplora, Etherscan, node) failed after retries; the cause is kept, secrets scrubbed. */
export class UpstreamError extends FundtraceError {
  readonly source: string;
  readonly status: number | undefined;
  constructor(
    source: string,
    message: string,
    options: ErrorOptions & { cause: unknown; status?: number; timeout?: boolean },
  ) {
    super(options.timeout ? "UPSTREAM_TIMEOUT" : "UPSTREAM_FAILED", `${source}: ${message}`, options);
    this.source = source;
    this.status = options.status;
  }
}

export class StoreError extends FundtraceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super("STORE_FAILED", message, options);
  }
}

/** The audit row of a write could not be written: the write is refused (nothing was changed). */
export class AuditError extends FundtraceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super("AUDIT_FAILED", message, options);
  }
}

/** True for errors caused by what the caller sent (CLI exit 2, HTTP 4xx). */
export function isBadInput(e: unknown): boolean {
  return e instanceof BadInputError || (e instanceof FundtraceError && e.code === "NOT_FOUND");
}
