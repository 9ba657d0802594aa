import { fileURLToPath } from "node:url";
import { BadInputError, quote } from "./errors.ts";
import { type NumberRule, parseNumberOption } from "./number-option.ts";

/** One config for CLI and API: flags override env, env overrides defaults. */
export interface Config {
  db: string;
  esploraUrl: string;
  evmRpcUrl: string | undefined;
  etherscanUrl: string | undefined;
  etherscanKey: string | undefined;
  etherscanFlavor: "etherscan-v2" | "blockscout" | undefined;
  /** TronGrid (or a host speaking its API); default the public https://api.trongrid.io. */
  tronUrl: string;
  /** TronGrid key, sent only as the TRON-PRO-API-KEY header (env TRONGRID_API_KEY). */
  tronKey: string | undefined;
  /** A java-tron node's HTTP API: when set, Tron is read block by block from it instead of TronGrid. */
  tronNodeUrl: string | undefined;
  rps: number | undefined;
  /** Per-request timeout and first retry delay for upstream HTTP (ms). */
  httpTimeoutMs: number;
  retryBaseMs: number;
  maxRetries: number;
  /** Webhook deliveries: first retry delay and retries before a delivery is marked failed. */
  webhookRetryBaseMs: number;
  webhookMaxRetries: number;
  /** EVM: blocks behind the tip not ingested yet (reorg safety), and an optional fixed block range. */
  evmConfirmations: number;
  evmChainId: number | undefined;
  fromBlock: number | undefined;
  toBlock: number | undefined;
  /** Import the bundled label set into a database that has no labels yet. */
  defaultLabels: boolean;
  apiKeys: string[];
  logLevel: string;
  /** Never ask an upstream source: work on what is stored (a frozen snapshot, no network). */
  offline: boolean;
}

export const VERSION = "0.1.0";
export const TRONGRID_DEFAULT_URL = "https://api.trongrid.io";
export const DEFAULT_LABELS_DIR = fileURLToPath(new URL("../labels/", import.meta.url));

export type Env = Record<string, string | undefined>;

type Raw = string | number | undefined;

/** An env value or a flag commander already parsed, through the one number parser. */
function numeric(name: string, v: Raw, rule: NumberRule): number | undefined {
  if (v === undefined || v === "") return undefined;
  return parseNumberOption(name, String(v), rule);
}
const positive = (name: string, v: Raw) => numeric(name, v, { positive: true, fraction: true });
const nonNegative = (name: string, v: Raw) => numeric(name, v, { min: 0 });

function flavor(v: string | undefined): "etherscan-v2" | "blockscout" | undefined {
  if (v === undefined || v === "etherscan-v2" || v === "blockscout") return v;
  throw new BadInputError(`--etherscan-flavor must be etherscan-v2 or blockscout, got ${quote(v)}`);
}

/** --offline, or FUNDTRACE_OFFLINE=1: never ask an upstream source. */
export function isOffline(flag: unknown, env: Env = process.env): boolean {
  return flag === true || ["1", "true"].includes(env.FUNDTRACE_OFFLINE ?? "");
}

export function loadConfig(
  flags: Partial<Record<keyof Config, unknown>> = {},
  env: Env = process.env,
): Config {
  const str = (k: keyof Config, e: string): string | undefined => {
    const f = flags[k];
    if (typeof f === "string" && f !== "") return f;
    const v = env[e];
    return v === undefined || v === "" ? undefined : v;
  };
  const apiKeys = (env.FUNDTRACE_API_KEYS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const defaultLabelsFlag = flags.defaultLabels;
  return {
    db: str("db", "FUNDTRACE_DB") ?? "./data/fundtrace.duckdb",
    esploraUrl: str("esploraUrl", "FUNDTRACE_ESPLORA_URL") ?? "https://blockstream.info/api",
    evmRpcUrl: str("evmRpcUrl", "FUNDTRACE_EVM_RPC_URL"),
    etherscanUrl: str("etherscanUrl", "FUNDTRACE_ETHERSCAN_URL"),
    etherscanKey: str("etherscanKey", "ETHERSCAN_API_KEY"),
    etherscanFlavor: flavor(str("etherscanFlavor", "FUNDTRACE_ETHERSCAN_FLAVOR")),
    tronUrl: str("tronUrl", "FUNDTRACE_TRON_URL") ?? TRONGRID_DEFAULT_URL,
    tronKey: str("tronKey", "TRONGRID_API_KEY"),
    tronNodeUrl: str("tronNodeUrl", "FUNDTRACE_TRON_NODE_URL"),
    rps: positive("--rps", (flags.rps as string | number | undefined) ?? env.FUNDTRACE_RPS),
    httpTimeoutMs: positive("FUNDTRACE_HTTP_TIMEOUT_MS", env.FUNDTRACE_HTTP_TIMEOUT_MS) ?? 20_000,
    retryBaseMs: positive("FUNDTRACE_RETRY_BASE_MS", env.FUNDTRACE_RETRY_BASE_MS) ?? 500,
    maxRetries: positive("FUNDTRACE_MAX_RETRIES", env.FUNDTRACE_MAX_RETRIES) ?? 6,
    webhookRetryBaseMs:
      positive("FUNDTRACE_WEBHOOK_RETRY_BASE_MS", env.FUNDTRACE_WEBHOOK_RETRY_BASE_MS) ?? 5000,
    webhookMaxRetries: nonNegative("FUNDTRACE_WEBHOOK_MAX_RETRIES", env.FUNDTRACE_WEBHOOK_MAX_RETRIES) ?? 10,
    evmConfirmations: nonNegative("FUNDTRACE_EVM_CONFIRMATIONS", env.FUNDTRACE_EVM_CONFIRMATIONS) ?? 12,
    evmChainId: positive(
      "--chain-id",
      (flags.evmChainId as string | number | undefined) ?? env.FUNDTRACE_EVM_CHAIN_ID,
    ),
    fromBlock: nonNegative("--from-block", flags.fromBlock as string | number | undefined),
    toBlock: nonNegative("--to-block", flags.toBlock as string | number | undefined),
    defaultLabels:
      typeof defaultLabelsFlag === "boolean"
        ? defaultLabelsFlag
        : (env.FUNDTRACE_DEFAULT_LABELS ?? "1") !== "0",
    apiKeys,
    logLevel: env.FUNDTRACE_LOG_LEVEL ?? "info",
    offline: isOffline(flags.offline, env),
  };
}
