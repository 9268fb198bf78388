import { expect, test } from 'vitest';
import { mapBounded } from '../../src/pipeline/map-bounded.js';
import { SingleFlight } from '../../src/pipeline/single-flight.js';

test('concurrent callers share one run; a later caller starts a new one', async () => {
  const flight = new SingleFlight<number>();
  let runs = 0;
  let release: () => void = () => undefined;
  const task = () =>
    new Promise<number>((resolve) => {
      runs++;
      release = () => resolve(runs);
    });
  const callers = Array.from({ length: 50 }, () => flight.run(task));
  expect(flight.busy).toBe(true);
  release();
  const results = await Promise.all(callers);
  expect(runs).toBe(1);
  expect(new Set(results)).toEqual(new Set([1]));
  expect(flight.busy).toBe(false);
  const next = flight.run(task);
  release();
  expect(await next).toBe(2);
});

test('a failed run is shared by its callers and does not stick', async () => {
  const flight = new SingleFlight<number>();
  const failing = flight.run(() => Promise.reject(new Error('boom')));
  const joined = flight.run(() => Promise.resolve(1));
  await expect(failing).rejects.toThrow('boom');
  await expect(joined).rejects.toThrow('boom');
  await expect(flight.run(() => Promise.resolve(2))).resolves.toBe(2);
});

test('mapBounded keeps order and never runs more than the limit', async () => {
  let running = 0;
  let peak = 0;
  const out = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, n * 3));
    running--;
    return n * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
  expect(peak).toBe(3);
  expect(await mapBounded([], 4, async () => 1)).toEqual([]);
});
