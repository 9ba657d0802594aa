import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { UI_PAGES } from "../src/api/routes/ui.ts";
import { formatAmount } from "../src/core/amount.ts";
import type { Services } from "../src/services/index.ts";
import { testServices } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

let s: Services;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  s = await testServices("ui");
  app = createApp(s, { apiKeys: ["sekret-key-1"] });
});
afterAll(() => s?.close());

/** Module specifiers a served JS file imports (static and dynamic). */
function imports(js: string): string[] {
  const out = new Set<string>();
  for (const m of js.matchAll(/(?:^|\n)\s*import\s[^'"]*?from\s*"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g))
    out.add((m[1] ?? m[2])!);
  return [...out];
}

describe("web UI server", () => {
  it("redirects / to /ui and serves every page as the same shell, without a key", async () => {
    const root = await app.request("/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/ui");
    const shell = await (await app.request("/ui")).text();
    for (const page of UI_PAGES) {
      const r = await app.request(`/ui/${page}?chain=bitcoin&address=x`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await r.text()).toBe(shell);
    }
    expect((await app.request("/ui/nope")).status).toBe(404);
  });

  it("sends a CSP that allows only this origin and no inline script, and the other security headers", async () => {
    for (const path of [
      "/",
      "/ui",
      "/ui/trace",
      "/ui/static/app.js",
      "/ui/lib.js",
      "/ui/vendor/cytoscape.mjs",
    ]) {
      const r = await app.request(path);
      const csp = r.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toMatch(/https?:|\*/);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("the shell loads only same-origin files, with no inline script or style", async () => {
    const shell = await (await app.request("/ui")).text();
    expect(shell).not.toMatch(/https?:\/\//);
    expect(shell).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(shell).not.toMatch(/<style|style="/);
    const refs = [...shell.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) {
      expect(ref === "/ui" || ref.startsWith("/ui/"), ref).toBe(true);
      expect((await app.request(ref)).status, ref).toBe(200);
    }
  });

  it("every module the pages import is served, as JavaScript, from this server", async () => {
    const seen = new Set<string>();
    const todo = ["/ui/static/app.js"];
    while (todo.length) {
      const url = todo.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const r = await app.request(url);
      expect(r.status, url).toBe(200);
      expect(r.headers.get("content-type"), url).toBe("text/javascript; charset=utf-8");
      const js = await r.text();
      if (url.startsWith("/ui/vendor/") || url === "/ui/lib.js") continue;
      for (const spec of imports(js)) {
        expect(spec, `${url} imports ${spec}`).not.toMatch(/^https?:|^\/\//);
        todo.push(new URL(spec, `http://x${url}`).pathname);
      }
    }
    expect(seen.size).toBeGreaterThan(8);
    for (const must of [
      "/ui/vendor/cytoscape.mjs",
      "/ui/vendor/cytoscape-dagre.mjs",
      "/ui/lib.js",
      "/ui/static/pages/trace.js",
    ])
      expect(seen.has(must), must).toBe(true);
  });

  it("refuses paths outside the UI's files", async () => {
    for (const p of [
      "/ui/static/../../api/app.ts",
      "/ui/static/%2e%2e/%2e%2e/api/app.ts",
      "/ui/vendor/..%2f..%2fpackage.json",
      "/ui/static/",
    ])
      expect((await app.request(p)).status, p).toBe(404);
  });

  it("the browser's formatAmount (served /ui/lib.js) gives the same strings as src/core/amount.ts", async () => {
    const js = await (await app.request("/ui/lib.js")).text();
    const file = join(tempDir(), "lib.mjs");
    await writeFile(file, js);
    const lib = await import(pathToFileURL(file).href);
    const cases: [string, number | null, string | null][] = [
      ["53000000", 8, "BTC"],
      ["0", 8, "BTC"],
      ["1", 18, "ETH"],
      ["-25000000", 8, "BTC"],
      ["115792089237316195423570985008687907853269984665640564039457584007913129639935", 18, "ETH"],
      ["4000000000", 6, "USDT"],
      ["12345", 0, "SAT"],
      ["12345", null, "0xdac17f958d2ee523a2206206994597c13d831ec7"],
      ["999", 2, null],
    ];
    for (const [v, d, sym] of cases) {
      expect(lib.formatAmount(v, d, sym)).toBe(formatAmount(v, d, sym));
      expect(lib.formatAmount(BigInt(v), d, sym)).toBe(formatAmount(BigInt(v), d, sym));
    }
    expect(lib.categoryGroup(["exchange", "terrorism_financing"])).toBe("terrorism_financing");
  });

  it("the API still wants its key behind the UI (the UI asks for it)", async () => {
    expect((await app.request("/v1/cases")).status).toBe(401);
    expect(
      (await app.request("/v1/cases", { headers: { authorization: "Bearer sekret-key-1" } })).status,
    ).toBe(200);
  });
});
