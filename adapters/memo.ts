/** Memoises an async lookup of something immutable (a confirmed receipt, a block's timestamp); failures are not kept. */
export function memo<K, T>(fn: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const cache = new Map<K, Promise<T>>();
  return (key) => {
    let p = cache.get(key);
    if (!p) {
      p = fn(key);
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  };
}
