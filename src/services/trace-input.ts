import { z } from "zod";
import { getChain, normalizeAddress } from "../chains.ts";
import { timeWindow } from "../core/time.ts";
import { DEFAULT_MAX_HOPS, DEFAULT_STOP_AT, MAX_HOPS } from "../core/trace.ts";
import { BadInputError, FundtraceError, quote } from "../errors.ts";
import type { TraceRequest } from "./trace.ts";

/**
 * The one definition of what a trace may be asked: POST /v1/trace and /v1/evidence bodies, saved-query
 * parameters and the flags of `fundtrace trace` / `query save` all pass through TraceInputSchema, so
 * the same input gets the same answer (message and error code) from the API and the CLI.
 */

export const TRACE_DIRECTIONS = ["forward", "backward"] as const;
export const TRACE_MODELS = ["poison", "haircut", "fifo"] as const;
/** Start addresses per trace. */
export const MAX_TRACE_ADDRESSES = 1000;
export const MAX_ADDRESS_BUDGET = 10_000_000;

/** What a trace uses when the caller leaves it out (the CLI shows these as its defaults). */
export const TRACE_DEFAULTS = {
  direction: "forward",
  maxHops: DEFAULT_MAX_HOPS,
  model: "haircut",
  stopAt: DEFAULT_STOP_AT,
  maxAddresses: 500,
} as const;

/** The first problem of a failed parse as the typed error fundtrace reports (exit 2 / HTTP 4xx). */
export function inputError(e: z.ZodError): FundtraceError {
  const issue = e.issues[0];
  const typed = issue?.code === "custom" ? issue.params?.error : undefined;
  if (typed instanceof FundtraceError) return typed;
  const where = issue?.path.length ? issue.path.join(".") : "request";
  return new BadInputError(`${where}: ${issue?.message ?? "invalid"}`, { cause: e });
}

/**
 * `since`/`until` (trace, exposure and ingest, CLI and API) checked and in Unix seconds; BAD_INPUT
 * naming the bound that is wrong, as the caller names it (`--since` on the CLI).
 */
export function checkWindow(
  since: string | undefined,
  until: string | undefined,
  names?: { since: string; until: string },
): { since: number | null; until: number | null } {
  try {
    return timeWindow(since, until, names);
  } catch (e) {
    if (e instanceof RangeError) throw new BadInputError(e.message, { cause: e });
    throw e;
  }
}

/** The `since`/`until` fields of a request (trace, ingest): `what` says what the window restricts. */
export function timeWindowFields(what: string) {
  return {
    since: z
      .string()
      .optional()
      .describe(`only transactions in blocks from this UTC date (2024-03-01) or ISO 8601 time ${what}`),
    until: z
      .string()
      .optional()
      .describe(`only transactions in blocks up to this time (a bare date: to the end of that day) ${what}`),
  };
}

/** Checks a trace request before anything is read or fetched; returns it with chain and addresses normalized. */
export function validateTrace(
  req: TraceRequest,
): Required<Pick<TraceRequest, "chain" | "addresses">> & TraceRequest {
  const chain = getChain(req.chain);
  if (chain.labelOnly)
    throw new BadInputError(`chain "${chain.name}" has labels only; it cannot be traced yet`);
  if (!req.addresses?.length) throw new BadInputError("give an address to trace");
  const addresses = [...new Set(req.addresses.map((a) => normalizeAddress(chain.name, a)))];
  const hops = req.maxHops ?? DEFAULT_MAX_HOPS;
  if (!Number.isInteger(hops) || hops < 1)
    throw new BadInputError(`hop limit must be a whole number from 1 to ${MAX_HOPS}, got ${hops}`);
  if (hops > MAX_HOPS)
    throw new BadInputError(`hop limit too high: ${hops} (max ${MAX_HOPS})`, {}, "LIMIT_EXCEEDED");
  if (req.model && !(TRACE_MODELS as readonly string[]).includes(req.model)) {
    throw new BadInputError(`unknown taint model ${quote(req.model)} (${TRACE_MODELS.join(", ")})`);
  }
  if (req.direction && !(TRACE_DIRECTIONS as readonly string[]).includes(req.direction)) {
    throw new BadInputError(`unknown direction ${quote(req.direction)} (${TRACE_DIRECTIONS.join(", ")})`);
  }
  if (req.minValue !== undefined && !/^\d+$/.test(String(req.minValue))) {
    throw new BadInputError(`minimum value must be a whole number of base units, got ${quote(req.minValue)}`);
  }
  if (
    req.maxAddresses !== undefined &&
    (!Number.isInteger(req.maxAddresses) || req.maxAddresses < 1 || req.maxAddresses > MAX_ADDRESS_BUDGET)
  ) {
    throw new BadInputError(`address budget must be 1..${MAX_ADDRESS_BUDGET}, got ${req.maxAddresses}`);
  }
  checkWindow(req.since, req.until);
  const targetAddresses = (req.targets?.addresses ?? []).map((a) => normalizeAddress(chain.name, a));
  return {
    ...req,
    chain: chain.name,
    addresses,
    maxHops: hops,
    targets: req.targets
      ? { categories: req.targets.categories ?? [], addresses: targetAddresses }
      : undefined,
  };
}

/** The fields of a trace request, as given (also what saved queries and evidence packages record). */
export const TraceFields = z.object({
  chain: z.string().describe("bitcoin, ethereum (or another EVM chain by name)"),
  address: z.string().optional().describe("a start address (or several in `addresses`)"),
  addresses: z.array(z.string()).max(MAX_TRACE_ADDRESSES).optional().describe("start addresses"),
  direction: z
    .enum(TRACE_DIRECTIONS)
    .optional()
    .describe("forward (default): where the funds went; backward: where they came from"),
  maxHops: z
    .number()
    .int()
    .optional()
    .describe(`hop limit, 1..${MAX_HOPS} (default ${DEFAULT_MAX_HOPS}; above ${MAX_HOPS}: LIMIT_EXCEEDED)`),
  model: z.enum(TRACE_MODELS).optional().describe("taint model (default haircut)"),
  minValue: z.string().optional().describe("ignore taint below this many base units (decimal string)"),
  stopAt: z.array(z.string()).optional().describe("categories reported and not followed (default exchange)"),
  targets: z
    .object({ categories: z.array(z.string()).optional(), addresses: z.array(z.string()).optional() })
    .optional()
    .describe("link search: only report paths that end at these categories or addresses"),
  maxAddresses: z
    .number()
    .int()
    .optional()
    .describe(`expansion budget, 1..${MAX_ADDRESS_BUDGET} (default ${TRACE_DEFAULTS.maxAddresses})`),
  ...timeWindowFields("carry taint"),
  cluster: z
    .boolean()
    .optional()
    .describe("start from every member of each address's cluster (the wallet, not only the address)"),
  includeGraph: z
    .boolean()
    .optional()
    .describe(
      "nodes and edges in the answer (default true); endpoints and stats alone are cheaper on a big trace",
    ),
});

/**
 * A trace as asked, checked in full (shape, then validateTrace's rules); the output is the input with
 * `address` added to `addresses`. Chain and addresses are normalized later by the trace itself, so
 * what is recorded as asked (saved queries, evidence) stays as the caller wrote it.
 */
export const TraceInputSchema = TraceFields.transform((v, ctx) => {
  const req = { ...v, addresses: [...(v.address ? [v.address] : []), ...(v.addresses ?? [])] };
  try {
    validateTrace(req);
  } catch (error) {
    if (!(error instanceof FundtraceError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message, params: { error } });
    return z.NEVER;
  }
  return req;
});

export type TraceInput = z.output<typeof TraceInputSchema>;

/** Parses a trace request (the CLI's flags mapped to the API's body) or throws the typed error. */
export function parseTraceInput(raw: unknown): TraceInput {
  const r = TraceInputSchema.safeParse(raw);
  if (!r.success) throw inputError(r.error);
  return r.data;
}

/** The request with the direction, hop limit and model a trace uses when they are not given. */
export function withTraceDefaults(t: TraceInput): TraceInput {
  return {
    ...t,
    direction: t.direction ?? TRACE_DEFAULTS.direction,
    maxHops: t.maxHops ?? TRACE_DEFAULTS.maxHops,
    model: t.model ?? TRACE_DEFAULTS.model,
  };
}
