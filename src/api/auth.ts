import { createHash, timingSafeEqual } from "node:crypto";
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { BadInputError, FundtraceError, quote } from "../errors.ts";
import type { AppEnv } from "./router.ts";

/** What a key may do; each role may do everything the ones before it may. */
export const ROLES = ["viewer", "analyst", "admin"] as const;
export type Role = (typeof ROLES)[number];
/** What a route asks for: a role, or nothing at all (health). */
export type RouteRole = Role | "public";

/** A key without a role in FUNDTRACE_API_KEYS: today's configurations keep working. */
export const DEFAULT_ROLE: Role = "analyst";

export interface ApiKey {
  key: string;
  role: Role;
  /** The key's name in the audit log. */
  id: string;
}

/** A key's name in the audit log: a short hash, never the key. */
export function keyId(key: string): string {
  return `key-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

/**
 * FUNDTRACE_API_KEYS entries, `KEY` or `KEY:ROLE`. A bad entry is named by its position, never
 * quoted: it holds a key.
 */
export function parseApiKeys(entries: readonly string[]): ApiKey[] {
  return entries.map((entry, i) => {
    const colon = entry.lastIndexOf(":");
    const key = colon < 0 ? entry : entry.slice(0, colon);
    const role = colon < 0 ? DEFAULT_ROLE : entry.slice(colon + 1);
    if (!(ROLES as readonly string[]).includes(role))
      throw new BadInputError(
        `FUNDTRACE_API_KEYS entry ${i + 1}: unknown role ${quote(role)} (${ROLES.join(", ")})`,
      );
    if (key.length === 0) throw new BadInputError(`FUNDTRACE_API_KEYS entry ${i + 1}: the key is empty`);
    return { key, role: role as Role, id: keyId(key) };
  });
}

/** The key part of each entry (what must never reach a message or a log). */
export function keySecrets(entries: readonly string[]): string[] {
  return entries.map((e) => (e.includes(":") ? e.slice(0, e.lastIndexOf(":")) : e));
}

export function allows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

function findKey(given: string, keys: readonly ApiKey[]): ApiKey | undefined {
  const g = Buffer.from(given);
  return keys.find((k) => {
    const b = Buffer.from(k.key);
    return b.length === g.length && timingSafeEqual(b, g);
  });
}

/**
 * Who is asking, before anything else runs (so the audit of a refused request names the key it
 * gave): `keyId` is the key's id (also for a key not accepted), `none` without one, `local` when the
 * server has no keys (then every caller is admin: it only listens on 127.0.0.1).
 */
export function identify(keys: readonly ApiKey[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (keys.length === 0) {
      c.set("keyId", "local");
      c.set("role", "admin");
      return next();
    }
    const auth = c.req.header("authorization");
    const given = auth?.startsWith("Bearer ") ? auth.slice(7) : c.req.header("x-api-key");
    if (!given) {
      c.set("keyId", "none");
      return next();
    }
    const k = findKey(given, keys);
    c.set("keyId", k?.id ?? keyId(given));
    if (k) c.set("role", k.role);
    return next();
  });
}

/** Every /v1 route but health needs an accepted key (Bearer or X-API-Key). */
export function requireKey() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.get("role") || c.req.path === "/v1/health") return next();
    if (c.get("keyId") === "none")
      throw new FundtraceError("UNAUTHORIZED", "API key required (Authorization: Bearer KEY)");
    throw new FundtraceError("FORBIDDEN", "API key not accepted");
  });
}

/** A key whose role is below the route's gets 403 naming the role it needs. */
function requireRole(need: RouteRole) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (need === "public") return next();
    const have = c.get("role");
    if (!have) throw new FundtraceError("FORBIDDEN", "API key not accepted");
    if (!allows(have, need))
      throw new FundtraceError(
        "FORBIDDEN",
        `this needs the ${need} role; this key has the ${have} role (${c.req.method} ${c.req.routePath})`,
      );
    return next();
  });
}

/** The OpenAPI extension that names a route's role (and what the role test reads). */
export const ROLE_EXTENSION = "x-fundtrace-role";

/**
 * A route and the role it needs, declared together: `authorized("analyst", { method, path, ... })`.
 * The role is checked before the request's input is read, and appears in the OpenAPI document.
 */
export function authorized<P extends string, R extends Omit<RouteConfig, "path"> & { path: P }>(
  role: RouteRole,
  config: R,
) {
  return createRoute({ ...config, [ROLE_EXTENSION]: role, middleware: [requireRole(role)] as const });
}

/**
 * Whether this caller's trace may fetch from upstream sources (which writes what it fetched): a
 * viewer traces, screens and computes exposure on stored data only.
 */
export function mayFetch(role: Role | undefined): boolean {
  return role !== undefined && allows(role, "analyst");
}
