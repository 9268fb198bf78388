// "Same ruleset, new counters": whether a binary reading has the same bytes as an earlier one
// everywhere except where counters (and netlink's per-request header fields) sit. A Neutron router's
// rules change rarely and its counters every scrape, so a collector that finds the shape unchanged
// reads the counters at the offsets the earlier parse recorded and skips parsing and labelling.
// Conservative by construction: any other difference in any byte means "parse again".

/** Byte ranges that may differ while the shape stays the same. */
export interface VolatileRanges {
  /** Ascending, non-overlapping [start, end) pairs, flattened. */
  readonly bounds: Uint32Array;
  /** Every bound is a multiple of 4 (netlink attributes always are): the comparison can go by words. */
  readonly wordAligned: boolean;
}

export function volatileRanges(ranges: readonly (readonly [number, number])[]): VolatileRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of sorted) {
    const last = merged.length - 1;
    if (last > 0 && start <= (merged[last] as number)) merged[last] = Math.max(merged[last] as number, end);
    else merged.push(start, end);
  }
  return { bounds: Uint32Array.from(merged), wordAligned: merged.every((bound) => bound % 4 === 0) };
}

/** A reading kept to tell whether a later one has the same shape (and so the same counter offsets). */
export interface KeptShape {
  /**
   * The reading, copied: a reader may hand out views into a larger buffer (the native reader's
   * batches), and keeping a view would keep the whole batch. Each later reading is compared with it
   * (sameShape), which copies that reading's volatile bytes into it and nothing else. In memory of its
   * own, not a slice of Buffer's shared pool: a kept shape lives as long as its namespace's readings
   * keep it, and one pooled slice kept the whole 8 KB slab it was cut from (3.4 MB of slabs at 1,000
   * routers, next to the neighbour dumps parsed again every few scrapes).
   */
  readonly data: Buffer;
  readonly volatile: VolatileRanges;
}

/** A copy of the bytes in memory of their own (a pooled Buffer would keep its whole 8 KB slab alive). */
export function copyOwnBytes(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}

export function keepShape(data: Buffer, volatile: readonly (readonly [number, number])[]): KeptShape {
  return { data: copyOwnBytes(data), volatile: volatileRanges(volatile) };
}

/** True when `later` has the shape `kept` was taken from (see sameShape). */
export function sameKeptShape(kept: KeptShape | undefined, later: Buffer): boolean {
  return kept !== undefined && sameShape(kept.data, later, kept.volatile);
}

/**
 * True when `next` has the length of `previous` and its bytes outside `volatile`. `previous` takes
 * `next`'s volatile bytes on the way (its counters are never read again, only its shape), so that the
 * comparison is one memcmp: at 1,000 routers that is about 2 ms a scrape for 21 MB of rulesets, where
 * comparing word by word around a few hundred ranges per reading took about 50 ms.
 */
export function sameShape(previous: Buffer, next: Buffer, volatile: VolatileRanges): boolean {
  if (previous.length !== next.length) return false;
  // an idle router's readings are byte for byte the last ones: nothing to copy
  if (previous.equals(next)) return true;
  copyVolatile(previous, next, volatile);
  return previous.equals(next);
}

function copyVolatile(into: Buffer, from: Buffer, { bounds, wordAligned }: VolatileRanges): void {
  const length = into.length;
  if (wordAligned && ((into.byteOffset | from.byteOffset) & 3) === 0) {
    const words = length >>> 2;
    const a = new Int32Array(into.buffer, into.byteOffset, words);
    const b = new Int32Array(from.buffer, from.byteOffset, words);
    for (let i = 0; i < bounds.length; i += 2) {
      const start = (bounds[i] as number) >>> 2;
      const end = Math.min((bounds[i + 1] as number) >>> 2, words);
      for (let word = start; word < end; word++) a[word] = b[word] as number;
      // a range reaching past the last whole word
      for (let byte = Math.max(words * 4, bounds[i] as number); byte < Math.min(bounds[i + 1] as number, length); byte++) {
        into[byte] = from[byte] as number;
      }
    }
    return;
  }
  for (let i = 0; i < bounds.length; i += 2) {
    const end = Math.min(bounds[i + 1] as number, length);
    for (let byte = bounds[i] as number; byte < end; byte++) into[byte] = from[byte] as number;
  }
}
