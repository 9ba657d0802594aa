import { parentPort, workerData } from "node:worker_threads";
import { FundtraceError } from "../errors.ts";
import type { WorkerAnswer } from "./label-worker.ts";
import { type ReadLabelOptions, readLabelFile } from "./labels.ts";

/** The worker thread of readLabelFileOffThread(): reads one file and posts the dataset or the error. */
const { raw, name, o } = workerData as { raw: Uint8Array; name: string; o: ReadLabelOptions };
let answer: WorkerAnswer;
try {
  const r = await readLabelFile(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), name, o);
  answer = { ok: true, ds: r.ds, format: r.format };
} catch (e) {
  answer = {
    ok: false,
    code: e instanceof FundtraceError ? e.code : undefined,
    message: e instanceof Error ? e.message : String(e),
  };
}
parentPort?.postMessage(answer);
