/**
 * Union-find over dense integer ids 0..n-1 in typed arrays (path halving, union by rank).
 * Both arrays start as zeros, so a 10M+ id one costs no initialising pass, and memory pages are
 * only touched for ids in use (first touches are slow on this VM): `up[x]` is the parent's id + 1
 * (0: x is a root); `rank` fits in a byte since it never exceeds log2(n).
 */
export class UnionFind {
  private readonly up: Int32Array;
  private readonly rank: Uint8Array;

  constructor(n: number) {
    this.up = new Int32Array(n);
    this.rank = new Uint8Array(n);
  }

  find(x: number): number {
    const up = this.up;
    for (;;) {
      const p = up[x]!;
      if (p === 0) return x;
      const g = up[p - 1]!;
      if (g === 0) return p - 1;
      up[x] = g; // halve the path: point x at its grandparent
      x = g - 1;
    }
  }

  /** True when x shares its set with at least one other id. */
  grouped(x: number): boolean {
    return this.up[x] !== 0 || this.rank[x] !== 0;
  }

  /** Merges the sets of a and b; true when they were apart (a real merge, worth evidence). */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    const rank = this.rank;
    if (rank[ra]! < rank[rb]!) {
      const t = ra;
      ra = rb;
      rb = t;
    } else if (rank[ra] === rank[rb]) rank[ra]!++;
    this.up[rb] = ra + 1;
    return true;
  }
}
