// sameShape: equal outside the volatile ranges, copying volatile bytes by 32-bit words when everything
// is aligned and byte by byte otherwise; both ways must agree on every byte position.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { readCounter, viewOf } from '../../src/parsers/binary-counters.js';
import { sameShape, volatileRanges } from '../../src/pipeline/reading-shape.js';

const LENGTH = 256;
const aligned = volatileRanges([
  [16, 24],
  [8, 12],
  [200, 208],
  [20, 28],
]); // overlapping pairs merge
const unaligned = volatileRanges([
  [9, 17],
  [101, 103],
]);

/** A copy of `bytes` at byte offset `shift` inside a larger buffer (shift 1: not word aligned). */
function placed(bytes: Buffer, shift: number): Buffer {
  const backing = Buffer.alloc(bytes.length + 8);
  bytes.copy(backing, shift);
  return backing.subarray(shift, shift + bytes.length);
}

describe.each([0, 1])('buffers at offset %i', (shift) => {
  const original = randomBytes(LENGTH);
  test.each([
    ['word-aligned ranges', aligned],
    ['unaligned ranges', unaligned],
  ] as const)('%s: a change outside the ranges is seen at every position, inside none is', (_name, ranges) => {
    expect(ranges.bounds.length % 2).toBe(0);
    for (let position = 0; position < LENGTH; position++) {
      const changed = Buffer.from(original);
      changed[position] = (changed[position] as number) ^ 0xff;
      let inside = false;
      for (let i = 0; i < ranges.bounds.length; i += 2) {
        if (position >= (ranges.bounds[i] as number) && position < (ranges.bounds[i + 1] as number)) inside = true;
      }
      expect(sameShape(placed(original, shift), placed(changed, shift), ranges), `byte ${position}`).toBe(inside);
    }
  });
  test('the earlier reading takes the volatile bytes of the later one and keeps the rest', () => {
    const later = Buffer.from(original);
    for (let i = 0; i < LENGTH; i++) later[i] = (later[i] as number) ^ 0x5a;
    const earlier = placed(original, shift);
    expect(sameShape(earlier, placed(later, shift), aligned)).toBe(false);
    for (let position = 0; position < LENGTH; position++) {
      let inside = false;
      for (let i = 0; i < aligned.bounds.length; i += 2) {
        if (position >= (aligned.bounds[i] as number) && position < (aligned.bounds[i + 1] as number)) inside = true;
      }
      expect(earlier[position], `byte ${position}`).toBe(inside ? later[position] : original[position]);
    }
  });
  test('another length is another shape', () => {
    expect(sameShape(original, original.subarray(0, LENGTH - 4), aligned)).toBe(false);
  });
});

test('overlapping ranges merge; word alignment is known', () => {
  expect([...aligned.bounds]).toEqual([8, 12, 16, 28, 200, 208]);
  expect(aligned.wordAligned).toBe(true);
  expect(unaligned.wordAligned).toBe(false);
});

test('counters read as the kernel wrote them, both byte orders, past 2^32', () => {
  const data = Buffer.alloc(16);
  data.writeBigUInt64BE(2n ** 40n + 5n, 0);
  data.writeBigUInt64LE(2n ** 33n + 7n, 8);
  expect(readCounter(viewOf(data), 0, true)).toBe(2 ** 40 + 5);
  expect(readCounter(viewOf(data), 8, false)).toBe(2 ** 33 + 7);
});
