// In `serve`, requests are answered first: every thread but the main one (the database's, the thread
// pool's) runs at a lower priority, so a label import or an ingest cannot starve the answers (issue 16).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BACKGROUND_NICE } from "../src/threads.ts";
import { type Served, serve } from "./helpers/browser.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let srv: Served | undefined;
afterAll(async () => {
  await srv?.stop(5000);
});

/** Nice value of each thread of a process (field 19 of /proc/PID/task/TID/stat, after the name). */
function threadNice(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.set(Number(t), Number(fields[16]));
  }
  return out;
}

describe.runIf(existsSync("/proc/self/task"))("serve's thread priorities", () => {
  it("lowers every thread but the one answering requests", async () => {
    srv = await serve(["--db", join(dir, "p.duckdb"), "--offline", "--no-default-labels"]);
    const nice = threadNice(srv.pid);
    // the database's threads and node's pool: more than a handful
    expect(nice.size).toBeGreaterThan(4);
    expect(nice.get(srv.pid)).toBe(getPriority());
    for (const [tid, n] of nice)
      if (tid !== srv.pid) expect(n, `thread ${tid}`).toBeGreaterThanOrEqual(BACKGROUND_NICE);
    const r = await fetch(`${srv.url}/v1/health`);
    expect(r.status).toBe(200);
  });
});
