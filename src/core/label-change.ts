import type { LabelRecord } from "../domain.ts";

/** What one label import changed: labels of a (chain, address, category) it added and removed. */
export interface LabelChange {
  dataset: string;
  /** SHA-256 of the imported file (null for data written without a file). */
  sourceHash: string | null;
  added: LabelRecord[];
  removed: LabelRecord[];
}

const key = (l: LabelRecord) => `${l.chain}\u0000${l.address}\u0000${l.category}`;

/**
 * The change from a dataset's labels before an import to after it, by (chain, address, category):
 * a new label name or program on the same key is not a change. One record per key.
 */
export function labelChange(
  dataset: string,
  sourceHash: string | null,
  before: readonly LabelRecord[],
  after: readonly LabelRecord[],
): LabelChange {
  const old = new Map(before.map((l) => [key(l), l]));
  const now = new Map(after.map((l) => [key(l), l]));
  return {
    dataset,
    sourceHash,
    added: [...now].filter(([k]) => !old.has(k)).map(([, l]) => l),
    removed: [...old].filter(([k]) => !now.has(k)).map(([, l]) => l),
  };
}
