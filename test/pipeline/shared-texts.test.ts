// Kept texts equal in many namespaces are kept once, and only while some namespace still keeps them.
// No root needed.

import { describe, expect, test } from 'vitest';
import { SharedTexts } from '../../src/pipeline/shared-texts.js';

describe('shared texts', () => {
  const text = Buffer.from('TCP: inuse 3 orphan 0 tw 0 alloc 5 mem 1\n');

  test('equal texts get the same bytes, in memory of their own; another text other bytes', () => {
    const texts = new SharedTexts();
    const first = texts.share(Buffer.from(text));
    const second = texts.share(Buffer.from(text));
    expect(second.bytes).toBe(first.bytes);
    expect(first.bytes.equals(text)).toBe(true);
    expect(first.bytes.buffer.byteLength).toBe(text.length); // not a slice of a pool
    const other = texts.share(Buffer.from('TCP: inuse 4 orphan 0 tw 0 alloc 5 mem 1\n'));
    expect(other.bytes).not.toBe(first.bytes);
  });

  test('bytes handed on survive the end of a scrape; bytes no one handed on are forgotten', () => {
    const texts = new SharedTexts();
    const kept = texts.share(Buffer.from(text));
    texts.rotate();
    texts.handOn(kept); // a namespace still keeps it this scrape
    texts.rotate();
    expect(texts.share(Buffer.from(text)).bytes).toBe(kept.bytes);
    texts.rotate();
    texts.rotate(); // two scrapes in which no namespace kept it
    expect(texts.share(Buffer.from(text)).bytes).not.toBe(kept.bytes);
  });
});
