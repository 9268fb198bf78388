// Discovery stats thousands of paths; firing them all at once would queue thousands of requests on
// libuv's 4-thread pool (and hold thousands of promises) for no gain, so a few dozen run at a time.

/**
 * Applies `task` to every item with at most `limit` tasks in flight and resolves with the results
 * in input order. `task` is expected not to reject (discovery turns every failure into a value);
 * if one does, the returned promise rejects with that error.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
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
