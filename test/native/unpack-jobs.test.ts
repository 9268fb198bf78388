// unpackJobs: the addon's batch format (native/src/addon.c, deliver_jobs) read back; no root needed.
import { describe, expect, test } from 'vitest';
import { unpackJobs } from '../../src/readers/native/load-addon.js';

/** A batch as the addon lays it out: every non-empty result starts at a multiple of 8. */
function batch(jobs: { id: number; stage: number; errno: number; results: (string | number)[] }[]): [Buffer, Float64Array] {
  const meta: number[] = [];
  const parts: Buffer[] = [];
  let length = 0;
  for (const job of jobs) {
    meta.push(job.id, job.stage, job.errno, job.results.length);
    for (const result of job.results) {
      if (typeof result === 'number') {
        meta.push(-result);
        continue;
      }
      const bytes = Buffer.from(result);
      meta.push(bytes.length);
      if (bytes.length === 0) continue;
      const aligned = (length + 7) & ~7;
      parts.push(Buffer.alloc(aligned - length), bytes);
      length = aligned + bytes.length;
    }
  }
  return [Buffer.concat(parts), Float64Array.from(meta)];
}

describe('unpackJobs', () => {
  test('results, errnos and empty results of several jobs, each result 8-aligned', () => {
    const [data, meta] = batch([
      { id: 1, stage: 0, errno: 0, results: ['abc', 2, '', 'defghijklmn'] },
      { id: 2, stage: 1, errno: 2, results: ['', ''] },
      { id: 7, stage: 0, errno: 0, results: ['x'] },
    ]);
    const jobs = unpackJobs(data, meta);
    expect(jobs.map((job) => [job.jobId, job.stage, job.stageErrno])).toEqual([
      [1, 0, 0],
      [2, 1, 2],
      [7, 0, 0],
    ]);
    const texts = jobs.map((job) => job.results.map((result) => (typeof result === 'number' ? result : result.toString())));
    expect(texts).toEqual([['abc', 2, '', 'defghijklmn'], ['', ''], ['x']]);
    for (const job of jobs) {
      for (const result of job.results) {
        if (typeof result !== 'number' && result.length > 0) expect((result.byteOffset - data.byteOffset) % 8).toBe(0);
      }
    }
  });

  test('a description that does not match the bytes throws (an addon bug, caught by the reader)', () => {
    const [data, meta] = batch([{ id: 1, stage: 0, errno: 0, results: ['abc'] }]);
    expect(() => unpackJobs(Buffer.concat([data, Buffer.alloc(3)]), meta)).toThrow(/does not match/);
    expect(() => unpackJobs(data, meta.subarray(0, 3))).toThrow(/does not match/);
  });
});
