import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Logger } from "../log.ts";
import type { Services } from "../services/index.ts";
import { errorResponse } from "./errors.ts";
import type { AppEnv } from "./router.ts";

/** Answers given before the body is read: the audit never reads it either. */
const BODY_UNREAD = new Set([401, 403, 413]);

/**
 * What an audit row names as the target: the path and query, plus the name/chain/address a JSON body
 * gives, in full (the audit cuts it and keeps its SHA-256). The body is looked at only when the
 * route read it: a refused request's body is never parsed.
 */
export async function auditTarget(c: Context): Promise<string> {
  const url = new URL(c.req.url);
  const parts = [url.pathname + url.search];
  if (BODY_UNREAD.has(c.res.status) || Object.keys(c.req.bodyCache).length === 0) return parts.join(" ");
  try {
    const b = (await c.req.json()) as Record<string, unknown>;
    for (const k of ["name", "query", "chain", "address", "dataset"])
      if (typeof b[k] === "string") parts.push(`${k}=${b[k]}`);
    if (Array.isArray(b.addresses)) parts.push(`addresses=${b.addresses.join(",")}`);
    if (Array.isArray(b.items)) parts.push(`items=${b.items.length}`);
    if (b.force === true) parts.push("force");
  } catch {
    // not a JSON object
  }
  return parts.join(" ");
}

/** The route that answered (its pattern, not the path), or the path when none did. */
function action(c: Context): string {
  const route = c.req.routePath;
  return `${c.req.method} ${route.endsWith("*") ? c.req.path : route}`;
}

/**
 * Every request but GET/HEAD is audited, refused ones included (401, 403, 413, 400...), after the
 * caller is identified. A write commits together with its row; a request whose row cannot be written
 * answers 500 AUDIT_FAILED (and, if it wrote, its write was rolled back with the row).
 */
export function auditRequests(services: Services, log?: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const w = services.audit.open({
      keyId: c.get("keyId") ?? "none",
      get action() {
        return action(c);
      },
      target: () => auditTarget(c),
    });
    await w.run(next);
    try {
      await w.finish(c.res.status);
    } catch (e) {
      log?.error({ err: String((e as Error).cause ?? e), written: w.written }, "audit write failed");
      // the write and its row are in: only the status of the answer is missing from the row
      if (w.written) return;
      const { status, body } = errorResponse(e);
      c.res = undefined;
      c.res = c.json(body, status);
    }
  });
}
