import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { LabelDataset, SpooledLabelDataset } from "../domain.ts";
import { BadInputError, type ErrorCode, FundtraceError } from "../errors.ts";
import { backgroundPriority } from "../threads.ts";
import type { ImportFormat, ReadLabelOptions } from "./labels.ts";

/**
 * Files at least this large (as given, compressed or not) are read on a worker thread: decompressing
 * and parsing OFAC's XML takes seconds to tens of seconds of CPU, which on the main thread would stop
 * every request the server is answering.
 */
export const OFF_THREAD_BYTES = 1024 * 1024;

/** What the worker answers: the parsed file, or the error it raised (code and message). */
export type WorkerAnswer =
  | { ok: true; ds: SpooledLabelDataset; format: ImportFormat }
  | { ok: false; code: ErrorCode | undefined; message: string };

const ENTRY = new URL("./label-worker-entry.ts", import.meta.url).href;
// The worker loads TypeScript through tsx's API whatever loader its parent runs under (bin/fundtrace's
// --import, vitest's transform): a worker does not inherit module hooks. The path is the one
// package.json exports as tsx/esm/api for `import`.
const TSX_API = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/esm/api/index.mjs"),
).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); });`;

let running = 0;

/** Label files being read on a worker thread right now (what a test watches the server answer during). */
export function labelParsesRunning(): number {
  return running;
}

/**
 * readLabelFile(), on a worker thread for a large file, whose labels it writes to the file `spool` (the
 * caller removes it); inline for a small one.
 */
export async function readLabelFileOffThread(
  raw: Buffer,
  name: string,
  o: ReadLabelOptions,
  spool: string,
): Promise<{ ds: LabelDataset | SpooledLabelDataset; format: ImportFormat }> {
  if (raw.length < OFF_THREAD_BYTES) {
    const { readLabelFile } = await import("./labels.ts");
    return readLabelFile(raw, name, o);
  }
  running++;
  let answer: WorkerAnswer;
  try {
    answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      const w = new Worker(BOOT, {
        eval: true,
        workerData: { raw, name, o, spool, nice: backgroundPriority() },
      });
      w.once("message", (m: WorkerAnswer) => {
        resolve(m);
        void w.terminate();
      });
      w.once("error", (cause) =>
        reject(new FundtraceError("INTERNAL", "the label parser thread failed", { cause })),
      );
      w.once("exit", (code) =>
        reject(new FundtraceError("INTERNAL", `the label parser thread exited (${code})`)),
      );
    });
  } finally {
    running--;
  }
  if (answer.ok) return { ds: answer.ds, format: answer.format };
  const code = answer.code ?? "INTERNAL";
  if (code === "BAD_INPUT" || code === "INVALID_ADDRESS" || code === "LIMIT_EXCEEDED")
    throw new BadInputError(answer.message, {}, code);
  throw new FundtraceError(code, answer.message);
}
