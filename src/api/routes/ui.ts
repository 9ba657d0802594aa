import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { CHAINS } from "../../chains.ts";
import type { Logger } from "../../log.ts";

/**
 * The web UI: plain ES modules and CSS from src/ui/static, the graph libraries from node_modules,
 * and the browser copy of the pure modules it shares with the server (amount formatting, the flow
 * picture's colours and layers) bundled on first request by esbuild (tsx's own compiler). No build
 * step, and nothing from another origin: the content security policy allows only this one.
 */

const STATIC_DIR = fileURLToPath(new URL("../../ui/static/", import.meta.url));
const LIB_ENTRY = fileURLToPath(new URL("../../ui/lib.ts", import.meta.url));
/** The pages; each is the same shell, the module reads the path and the query string. */
export const UI_PAGES = ["address", "trace", "queries", "cases", "alerts"] as const;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** Only same-origin scripts, styles, images and requests; no framing, no referrer. */
export const UI_SECURITY = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:", "blob:"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: "no-referrer",
  xFrameOptions: "DENY",
  xContentTypeOptions: "nosniff",
  crossOriginResourcePolicy: "same-origin",
  crossOriginOpenerPolicy: "same-origin",
  // served over plain HTTP on a laptop; HSTS belongs to whatever terminates TLS in front
  strictTransportSecurity: false,
});

/** Every file under src/ui/static by its URL path (nothing else can be asked for). */
function staticFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (TYPES[extname(e.name)]) out.set(relative(STATIC_DIR, p).split(sep).join("/"), p);
    }
  };
  walk(STATIC_DIR);
  return out;
}

/** The graph libraries' browser builds (ES modules), found where npm put the packages. */
function vendorFiles(): Map<string, string> {
  const require = createRequire(import.meta.url);
  const dist = (pkg: string) => dirname(require.resolve(pkg));
  return new Map([
    ["cytoscape.mjs", join(dist("cytoscape"), "cytoscape.esm.min.mjs")],
    ["cytoscape-dagre.mjs", join(dist("cytoscape-dagre"), "cytoscape-dagre.min.mjs")],
  ]);
}

async function bundleLib(): Promise<string> {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [LIB_ENTRY],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

export function uiRoutes(opts: { log?: Logger } = {}) {
  const files = staticFiles();
  const vendor = vendorFiles();
  let lib: Promise<string> | undefined;
  const chains = JSON.stringify(
    CHAINS.filter((c) => !c.labelOnly).map((c) => ({
      name: c.name,
      family: c.family,
      symbol: c.symbol,
      decimals: c.decimals,
    })),
  );
  const send = async (path: string | undefined, cache: string) => {
    if (!path) return undefined;
    return new Response(await readFile(path), {
      headers: { "content-type": TYPES[extname(path)]!, "cache-control": cache },
    });
  };
  const notFound = () =>
    new Response("not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });

  const app = new Hono();
  app.use("/", UI_SECURITY);
  app.use("/ui", UI_SECURITY);
  app.use("/ui/*", UI_SECURITY);
  app.get("/", (c) => c.redirect("/ui", 302));
  const shell = async () => (await send(files.get("index.html"), "no-cache"))!;
  app.get("/ui", shell);
  app.get("/ui/", shell);
  for (const page of UI_PAGES) app.get(`/ui/${page}`, shell);
  app.get("/ui/chains.json", (c) => c.body(chains, 200, { "content-type": "application/json" }));
  app.get("/ui/lib.js", async (c) => {
    lib ??= bundleLib().catch((e) => {
      lib = undefined;
      throw e;
    });
    try {
      return c.body(await lib, 200, { "content-type": TYPES[".js"]!, "cache-control": "no-cache" });
    } catch (e) {
      opts.log?.error({ err: String(e) }, "UI: bundling src/ui/lib.ts failed");
      return c.body("// bundling failed: see the server log", 500, { "content-type": TYPES[".js"]! });
    }
  });
  app.get(
    "/ui/vendor/:file",
    async (c) => (await send(vendor.get(c.req.param("file")), "max-age=3600")) ?? notFound(),
  );
  app.get("/ui/static/*", async (c) => {
    const rel = c.req.path.slice("/ui/static/".length);
    return (await send(files.get(rel), "no-cache")) ?? notFound();
  });
  app.all("/ui/*", notFound);
  return app;
}
