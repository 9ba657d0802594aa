import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Logger } from "../log.ts";
import type { Services } from "../services/index.ts";
import type { AppEnv } from "./router.ts";

/** What an audit row names as the target: the path, plus the name/chain/address a JSON body gives. */
export async function auditTarget(c: Context): Promise<string> {
  const parts = [c.req.path];
  try {
    const b = (await c.req.json()) as Record<string, unknown>;
    for (const k of ["name", "query", "chain", "address"])
      if (typeof b[k] === "string") parts.push(`${k}=${String(b[k]).slice(0, 100)}`);
    if (Array.isArray(b.addresses)) parts.push(`addresses=${b.addresses.slice(0, 5).join(",")}`);
    if (Array.isArray(b.items)) parts.push(`items=${b.items.length}`);
  } catch {
    // no JSON body
  }
  return parts.join(" ");
}

/** Every write (any method but GET/HEAD) is audited, refused ones included. */
export function auditWrites(services: Services, authenticated: boolean, log?: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.req.method === "HEAD") return;
    try {
      await services.audit.record({
        keyId: c.get("keyId") ?? (authenticated ? "none" : "local"),
        action: `${c.req.method} ${c.req.routePath.endsWith("*") ? c.req.path : c.req.routePath}`,
        target: await auditTarget(c),
        status: c.res.status,
      });
    } catch (e) {
      log?.error({ err: String(e) }, "audit write failed");
    }
  });
}
