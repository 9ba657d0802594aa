import { parentPort, workerData } from "node:worker_threads";
import { FundtraceError } from "../errors.ts";
import { spoolLabels } from "../store/label-spool.ts";
import { lowerThisThread } from "../threads.ts";
import type { WorkerAnswer } from "./label-worker.ts";
import { type ReadLabelOptions, readLabelFile } from "./labels.ts";

/**
 * The worker thread of readLabelFileOffThread(): reads one file, writes its labels to `spool` and posts
 * the dataset without them (or the error). In a server, background work: it yields the CPU to requests.
 */
const { raw, name, o, spool, nice } = workerData as {
  raw: Uint8Array;
  name: string;
  o: ReadLabelOptions;
  spool: string;
  /** The server's background priority (see src/threads.ts), if it set one. */
  nice: number | undefined;
};
if (nice !== undefined) lowerThisThread(nice);
let answer: WorkerAnswer;
try {
  const r = await readLabelFile(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), name, o);
  const { labels, ...rest } = r.ds;
  spoolLabels(labels, spool);
  answer = { ok: true, ds: { ...rest, file: spool, rows: labels.length }, format: r.format };
} catch (e) {
  answer = {
    ok: false,
    code: e instanceof FundtraceError ? e.code : undefined,
    message: e instanceof Error ? e.message : String(e),
  };
}
parentPort?.postMessage(answer);
