// "Same ruleset, new counters": whether a binary reading has the same bytes as an earlier one
// everywhere except where counters (and netlink's per-request header fields) sit. A Neutron router's
// rules change rarely and its counters every scrape, so a collector that finds the shape unchanged
// reads the counters at the offsets the earlier parse recorded and skips parsing and labelling.
// Conservative by construction: any other difference in any byte means "parse again".

import { NLMSG_HDRLEN, readHostU32 } from './netlink/netlink-messages.js';

/**
 * Byte ranges that may differ while the shape stays the same, as ascending, non-overlapping
 * [start, end) pairs.
 */
export type VolatileRanges = Uint32Array;

export function volatileRanges(ranges: readonly (readonly [number, number])[]): VolatileRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of sorted) {
    const last = merged.length - 1;
    if (last > 0 && start <= (merged[last] as number)) merged[last] = Math.max(merged[last] as number, end);
    else merged.push(start, end);
  }
  return Uint32Array.from(merged);
}

/** True when `next` has the length of `previous` and its bytes outside `volatile`. */
export function sameShape(previous: Buffer, next: Buffer, volatile: VolatileRanges): boolean {
  if (previous.length !== next.length) return false;
  let from = 0;
  for (let i = 0; i <= volatile.length; i += 2) {
    const to = i < volatile.length ? (volatile[i] as number) : previous.length;
    if (to > from && next.compare(previous, from, to, from, to) !== 0) return false;
    from = i < volatile.length ? (volatile[i + 1] as number) : to;
  }
  return true;
}

/** Each netlink message's sequence number and port id: they belong to the request, not the ruleset. */
export function netlinkHeaderRanges(data: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  for (let offset = 0; offset + NLMSG_HDRLEN <= data.length; ) {
    const length = readHostU32(data, offset);
    if (length < NLMSG_HDRLEN) break;
    ranges.push([offset + 8, offset + 16]);
    offset += (length + 3) & ~3;
  }
  return ranges;
}

/** An unsigned 64-bit counter as a number (exact below 2^53, then rounded once, as Number(bigint) would). */
export function readCounter(data: Buffer, offset: number, bigEndian: boolean): number {
  return bigEndian
    ? data.readUInt32BE(offset) * 4294967296 + data.readUInt32BE(offset + 4)
    : data.readUInt32LE(offset + 4) * 4294967296 + data.readUInt32LE(offset);
}
