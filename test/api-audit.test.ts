import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { keyId } from "../src/api/auth.ts";
import type { AuditEntry } from "../src/services/audit.ts";
import type { Services } from "../src/services/index.ts";
import { testServices } from "./helpers/services.ts";

const ADMIN = "audit-admin-key-0123456789";
const VIEWER = "audit-viewer-key-0123456789";
const WRONG = "audit-wrong-key-0123456789";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

let s: Services;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  s = await testServices("audit");
  app = createApp(s, { apiKeys: [`${ADMIN}:admin`, `${VIEWER}:viewer`], bodyLimit: 1024 * 1024 });
});
afterAll(() => s.close());

const post = (path: string, body: unknown, key?: string) =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** The audit rows written by `fn`, oldest first. */
async function rowsOf(fn: () => Promise<unknown>): Promise<AuditEntry[]> {
  const before = new Set((await s.audit.list(10_000)).map((e) => e.id));
  await fn();
  return (await s.audit.list(10_000)).filter((e) => !before.has(e.id)).reverse();
}

describe("audit of refused requests", () => {
  it("a 401 with a 5 MB field is one bounded row keyed none; its body is never read", async () => {
    const big = "n".repeat(5 * 1024 * 1024);
    const rows = await rowsOf(async () => {
      const r = await post("/v1/cases", { name: big });
      expect(r.status).toBe(401);
    });
    expect(rows).toEqual([
      expect.objectContaining({
        keyId: "none",
        action: "POST /v1/cases",
        target: "/v1/cases",
        targetSha256: sha256("/v1/cases"),
        status: 401,
      }),
    ]);
  });

  it("a key not accepted is recorded by its own id, not as none", async () => {
    const rows = await rowsOf(async () =>
      expect((await post("/v1/cases", { name: "x" }, WRONG)).status).toBe(403),
    );
    expect(rows.map((e) => [e.keyId, e.status])).toEqual([[keyId(WRONG), 403]]);
    expect(JSON.stringify(await s.store.sql("SELECT * FROM audit_log"))).not.toContain(WRONG);
  });

  it("a role refusal is recorded with the key's id", async () => {
    const rows = await rowsOf(async () =>
      expect((await post("/v1/cases", { name: "by-viewer" }, VIEWER)).status).toBe(403),
    );
    expect(rows.map((e) => [e.keyId, e.action, e.status])).toEqual([[keyId(VIEWER), "POST /v1/cases", 403]]);
  });

  it("a 413 (body over the limit) is recorded", async () => {
    const rows = await rowsOf(async () => {
      const r = await post("/v1/screen", { items: [], pad: "x".repeat(2 * 1024 * 1024) }, ADMIN);
      expect(r.status).toBe(413);
    });
    expect(rows.map((e) => [e.keyId, e.target, e.status])).toEqual([[keyId(ADMIN), "/v1/screen", 413]]);
  });

  it("a 400 with a huge name: the message quotes 200 characters, the row is cut and hashed", async () => {
    const name = `${"a".repeat(300_000)}!`;
    const rows = await rowsOf(async () => {
      const r = await post("/v1/cases", { name }, ADMIN);
      expect(r.status).toBe(400);
      const { error } = (await r.json()) as { error: { message: string } };
      expect(error.message).toBe(
        `case name "${"a".repeat(200)}…(300001 chars)" must be 1-64 letters, digits, "_", "-" or "."`,
      );
    });
    const full = `/v1/cases name=${name}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.target).toBe(`${full.slice(0, 300)}…(${full.length} chars)`);
    expect(rows[0]!.targetSha256).toBe(sha256(full));
    expect(rows[0]!.status).toBe(400);
  });

  it("a path that matches no route is recorded, cut to size", async () => {
    const path = `/v1/${"p".repeat(5000)}`;
    const rows = await rowsOf(async () => expect((await post(path, {}, ADMIN)).status).toBe(404));
    expect(rows[0]!.action).toBe(`POST ${path}`.slice(0, 200) + `…(${path.length + 5} chars)`);
    expect(rows[0]!.target!.length).toBeLessThan(330);
  });
});

describe("audit of writes", () => {
  it("a label import records the rows it added and removed", async () => {
    const csv = (rows: string[]) =>
      [
        "chain,address,label,category,source,confidence",
        ...rows.map((a) => `bitcoin,${a},L,exchange,t,50`),
      ].join("\n");
    const A = ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"];
    const B = [
      "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
      "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
      "1dice8EMZmqKvrGE4Qc9bUFf9PX3xaYDp",
    ];
    const rows = await rowsOf(async () => {
      expect((await post("/v1/labels/import", { name: "audit.csv", content: csv(A) }, ADMIN)).status).toBe(
        200,
      );
      // one of two addresses delisted is over the guard's share: an admin's forced replacement
      const r = await post("/v1/labels/import", { name: "audit.csv", content: csv(B), force: true }, ADMIN);
      expect(await r.json()).toMatchObject({ rows: 3, added: 2, removed: 1 });
    });
    expect(rows.map((e) => [e.action, e.status, e.details])).toEqual([
      ["POST /v1/labels/import", 200, { labels: { "csv:t": { added: 2, removed: 0 } } }],
      ["POST /v1/labels/import", 200, { labels: { "csv:t": { added: 2, removed: 1 } } }],
    ]);
    expect((await s.labels.list({ dataset: "csv:t" })).labels.map((l) => l.address).sort()).toEqual(
      [...B].sort(),
    );
  });

  it("a request whose audit row cannot be written fails with AUDIT_FAILED and leaves nothing", async () => {
    await s.store.sql("ALTER TABLE audit_log RENAME TO audit_log_away");
    try {
      const w = await post("/v1/cases", { name: "unaudited" }, ADMIN);
      expect(w.status).toBe(500);
      expect(await w.json()).toEqual({
        error: {
          code: "AUDIT_FAILED",
          message: "the audit log could not be written; the request was refused",
        },
      });
      expect(await s.store.one("cases.get", { name: "unaudited" })).toBeUndefined();
      // a request that writes nothing is refused too
      const r = await post("/v1/screen", { items: [] }, ADMIN);
      expect(r.status).toBe(500);
      expect(((await r.json()) as any).error.code).toBe("AUDIT_FAILED");
    } finally {
      await s.store.sql("ALTER TABLE audit_log_away RENAME TO audit_log");
    }
    expect((await post("/v1/cases", { name: "audited-again" }, ADMIN)).status).toBe(201);
  });
});

describe("audit beside a long write", () => {
  it("a screen is answered and recorded while a write transaction is still open; the write's own row commits with it", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    // a long write (as a label import is) holds the writer connection
    let writing!: () => void;
    const started = new Promise<void>((r) => {
      writing = r;
    });
    const write = s.store.tx(async () => {
      await s.store.sql("CREATE TEMP TABLE IF NOT EXISTS long_write (x INTEGER)");
      writing();
      await held;
    });
    await started;
    // twenty at once: their rows are committed together, one each
    const rows = await rowsOf(async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(
            "/v1/screen",
            { items: [{ chain: "ethereum", address: `0x${i.toString(16).padStart(40, "0")}` }] },
            VIEWER,
          ),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    });
    expect(rows.map((e) => [e.keyId, e.action, e.status])).toEqual(
      Array(20).fill([keyId(VIEWER), "POST /v1/screen", 200]),
    );
    expect(new Set(rows.map((e) => e.id)).size).toBe(20);
    // a request that writes waits for the writer, and its row commits with its write
    const created = Promise.resolve(post("/v1/cases", { name: "after-the-long-write" }, ADMIN));
    const first = await Promise.race([
      created.then(() => "answered"),
      new Promise((r) => setTimeout(() => r("waiting"), 300)),
    ]);
    expect(first).toBe("waiting");
    release();
    await write;
    expect((await created).status).toBe(201);
    const last = (await s.audit.list(1))[0]!;
    expect([last.action, last.status]).toEqual(["POST /v1/cases", 201]);
  });
});
