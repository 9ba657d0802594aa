import { readdirSync, readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * Nice value of the threads that do background work in `serve`: the database's, the thread pool's, label
 * parsers'. Requests are answered on the main thread; on a machine with few cores a label import or an
 * ingest would otherwise take the CPU from it for seconds, and every answer would wait.
 */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the priority of every thread of this process but the main one (Linux: threads have their own
 * nice value; elsewhere nothing is done). Only ever lowers: a thread already nicer stays as it is.
 * Returns how many threads were lowered.
 */
export function lowerBackgroundThreads(nice = BACKGROUND_NICE): number {
  backgroundNice = nice;
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const t of tids) {
    const tid = Number(t);
    if (tid !== process.pid && lower(tid, nice)) lowered++;
  }
  return lowered;
}

let backgroundNice: number | undefined;

/** The nice value background threads run at, once lowerBackgroundThreads() ran (a server), else undefined. */
export function backgroundPriority(): number | undefined {
  return backgroundNice;
}

/** Lowers the priority of the calling thread (a worker thread's own work), on Linux. */
export function lowerThisThread(nice = BACKGROUND_NICE): boolean {
  try {
    // "PID/task/TID"
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return lower(tid, nice);
  } catch {
    return false;
  }
}

function lower(tid: number, nice: number): boolean {
  try {
    if (getPriority(tid) >= nice) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    // the thread ended meanwhile, or the system refuses: it keeps its priority
    return false;
  }
}
