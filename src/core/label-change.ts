import type { LabelRecord } from "../domain.ts";

/** What one label import changed: labels of a (chain, address, category) it added and removed. */
export interface LabelChange {
  dataset: string;
  /** SHA-256 of the imported file (null for data written without a file). */
  sourceHash: string | null;
  added: LabelRecord[];
  removed: LabelRecord[];
}
