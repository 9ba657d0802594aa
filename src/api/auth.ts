import { createHash, timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { FundtraceError } from "../errors.ts";
import type { AppEnv } from "./router.ts";

/** A key's name in the audit log: a short hash, never the key. */
export function keyId(key: string): string {
  return `key-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

function keyMatches(given: string, keys: string[]): number {
  const g = Buffer.from(given);
  return keys.findIndex((k) => {
    const b = Buffer.from(k);
    return b.length === g.length && timingSafeEqual(b, g);
  });
}

/** Every /v1 route but health needs one of the keys (Bearer or X-API-Key); the key's id goes to the audit. */
export function requireApiKey(apiKeys: string[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.path === "/v1/health") return next();
    const auth = c.req.header("authorization");
    const given = auth?.startsWith("Bearer ") ? auth.slice(7) : c.req.header("x-api-key");
    if (!given) throw new FundtraceError("UNAUTHORIZED", "API key required (Authorization: Bearer KEY)");
    const idx = keyMatches(given, apiKeys);
    if (idx < 0) throw new FundtraceError("FORBIDDEN", "API key not accepted");
    c.set("keyId", keyId(apiKeys[idx]!));
    return next();
  });
}
