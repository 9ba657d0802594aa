import { closeSync, openSync, writeSync } from "node:fs";
import type { LabelRecord } from "../domain.ts";

/** Lines written per write call: a list of a million labels is never one string in memory. */
const LINES_PER_WRITE = 10_000;

/**
 * Writes labels as newline-delimited JSON in the shape `labels.insert_spooled` reads (its `columns`
 * must name these keys): on a worker thread, so the database reads a large file's rows from disk.
 */
export function spoolLabels(labels: readonly LabelRecord[], file: string): void {
  const fd = openSync(file, "w", 0o600);
  try {
    for (let off = 0; off < labels.length; off += LINES_PER_WRITE) {
      const lines = labels.slice(off, off + LINES_PER_WRITE).map((l) =>
        JSON.stringify({
          chain: l.chain,
          address: l.address,
          currency: l.currency ?? null,
          label: l.label,
          category: l.category,
          source: l.source,
          confidence: Math.round(l.confidence),
          program: l.program ?? null,
          reference: l.reference ?? null,
          cluster_defining: l.clusterDefining,
          actor: l.actor ?? null,
        }),
      );
      writeSync(fd, `${lines.join("\n")}\n`);
    }
  } finally {
    closeSync(fd);
  }
}
