// The audit rows of a group commit (AuditStore.insertMany, one statement) are stored exactly as the
// rows written one by one: nulls in any position, quotes, new lines, microseconds.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AuditEntry, AuditStore } from "../src/store/audit.ts";
import { Store } from "../src/store/db.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const stores: Store[] = [];
afterAll(() => {
  for (const s of stores) s.close();
});

const AT = BigInt(Date.UTC(2026, 11, 6, 4, 5, 6, 789)) * 1000n + 123n;
const ROWS: (Omit<AuditEntry, "at"> & { atMicros: bigint })[] = [
  {
    id: "a",
    atMicros: AT,
    keyId: "none",
    action: "POST /v1/screen",
    target: null,
    targetSha256: null,
    status: 401,
    details: null,
  },
  {
    id: "b",
    atMicros: AT + 1n,
    keyId: "key-1",
    action: "POST /v1/cases",
    target: 'x "y"\nz 😀',
    targetSha256: "ab",
    status: 201,
    details: { labels: { d: { added: 2, removed: 0 } } },
  },
  {
    id: "c",
    atMicros: AT + 2n,
    keyId: "local",
    action: "DELETE /v1/queries/:id",
    target: "/v1/queries/q",
    targetSha256: null,
    status: 0,
    details: null,
  },
];

async function stored(name: string, write: (a: AuditStore, s: Store) => Promise<void>) {
  const s = await Store.open(join(dir, `${name}.duckdb`));
  stores.push(s);
  await write(new AuditStore(s), s);
  const rows = await s.sql(
    "SELECT id, epoch_us(logged_at) AS us, key_id, action, target, target_sha256, status, details FROM audit_log ORDER BY id",
  );
  return rows;
}

describe("audit rows written together", () => {
  it("equal the rows written one by one", async () => {
    const one = await stored("one", async (a) => {
      for (const r of ROWS) await a.insert(r);
    });
    const many = await stored("many", (a, s) => s.tx(() => a.insertMany(ROWS)));
    expect(one).toHaveLength(3);
    expect(one[1]).toMatchObject({ us: AT + 1n, target: 'x "y"\nz 😀', status: 201 });
    expect(JSON.parse(String(one[1]!.details))).toEqual(ROWS[1]!.details);
    expect(many).toEqual(one);
  });
});
