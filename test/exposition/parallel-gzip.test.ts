// Segmented gzip: the joined body is one gzip member (one header, one deflate stream ending in its
// final block, one trailer) whose bytes decompress to exactly what was written, with the CRC-32 and
// length zlib computes for the whole. No root needed.

import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { crc32Combine, ParallelGzip } from '../../src/exposition/parallel-gzip.js';

/** CRC-32 as zlib computes it: from the trailer of a gzip stream of `data`. */
function crc32(data: Buffer): number {
  const gz = gzipSync(data);
  return gz.readUInt32LE(gz.length - 8);
}

describe('crc32Combine', () => {
  test.each([0, 1, 3, 7, 8, 1000, 65_537, 1_048_576 + 5])('crc(A + B) from crc(A), crc(B) and |B| = %i', (length) => {
    const a = randomBytes(777);
    const b = randomBytes(length);
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
  });

  test('from an empty start, as the joined body begins', () => {
    const b = randomBytes(4096);
    expect(crc32Combine(0, crc32(b), b.length)).toBe(crc32(b));
  });
});

/** Writes `chunks` as the render loop does (waiting when told to) and returns the joined body. */
async function gzipOf(chunks: Buffer[], segmentBytes: number, inFlight = 3): Promise<{ body: Buffer; done: Buffer[] }> {
  const done: Buffer[] = [];
  const gzip = new ParallelGzip({ level: 1, segmentBytes, inFlight, chunkDone: (chunk) => done.push(chunk) });
  for (const chunk of chunks) await gzip.write(chunk);
  return { body: Buffer.concat(await gzip.end()), done };
}

function textChunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(`netns_iptables_rule_packets_total{netns="qrouter-${i}",rule="${i % 40}"} ${i * 7919}\n`.repeat(size / 64).slice(0, size)),
  );
}

describe('ParallelGzip', () => {
  test.each([
    ['nothing', [] as Buffer[], 1024],
    ['one small chunk', [Buffer.from('netns_info{netns="a"} 1\n')], 1024],
    ['text over many segments', textChunks(40, 4096), 10_000],
    ['random bytes, segments of one chunk each', Array.from({ length: 9 }, () => randomBytes(3000)), 1],
    ['chunks larger than a segment', textChunks(5, 70_000), 65_536],
  ])('%s: one gzip member that decompresses to the input', async (_name, chunks, segmentBytes) => {
    const input = Buffer.concat(chunks);
    const { body, done } = await gzipOf(chunks, segmentBytes);
    expect(gunzipSync(body).equals(input)).toBe(true);
    // a single member: header, one deflate stream up to the trailer, trailer of the whole input
    expect([...body.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(inflateRawSync(body.subarray(10, body.length - 8)).equals(input)).toBe(true);
    expect(body.readUInt32LE(body.length - 8)).toBe(crc32(input));
    expect(body.readUInt32LE(body.length - 4)).toBe(input.length);
    expect(done).toHaveLength(chunks.length); // every chunk handed back once compressed
    expect(new Set(done)).toEqual(new Set(chunks));
  });

  test('compresses as well as one stream, within a few per cent', async () => {
    const chunks = textChunks(64, 65_536);
    const { body } = await gzipOf(chunks, 1024 * 1024);
    expect(body.length).toBeLessThan(gzipSync(Buffer.concat(chunks), { level: 1 }).length * 1.05);
  });

  test('writing waits while the segments in flight are at the limit', async () => {
    const gzip = new ParallelGzip({ level: 1, segmentBytes: 1, inFlight: 2 });
    expect(gzip.write(Buffer.from('a'))).toBeUndefined();
    const third = [gzip.write(Buffer.from('b')), gzip.write(Buffer.from('c'))];
    expect(third.some((wait) => wait instanceof Promise)).toBe(true);
    await Promise.all(third.filter((wait) => wait !== undefined));
    expect(gunzipSync(Buffer.concat(await gzip.end())).toString()).toBe('abc');
  });
});
