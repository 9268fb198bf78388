// Runs `task` over every item with at most `limit` running at once, keeping input order in the output.
// Discovery bounds its thousands of stat/readlink calls with it (all at once would queue them on libuv's
// 4-thread pool for no gain), and collection bounds how many namespaces are read at the same time.
// Tasks must not reject (discovery, readers and collectors turn failures into values); a rejection is
// a bug and propagates.

export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
