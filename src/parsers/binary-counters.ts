// Reading counters out of binary readings (netlink messages, x_tables blobs) at offsets a parse
// found, and the netlink header bytes that change with every request. Pure.

import { NLMSG_HDRLEN, readHostU32 } from './netlink/netlink-messages.js';

/** Each netlink message's sequence number and port id: they belong to the request, not the ruleset. */
export function netlinkHeaderRanges(data: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  for (let offset = 0; offset + NLMSG_HDRLEN <= data.length;) {
    const length = readHostU32(data, offset);
    if (length < NLMSG_HDRLEN) break;
    ranges.push([offset + 8, offset + 16]);
    offset += (length + 3) & ~3;
  }
  return ranges;
}

/**
 * An unsigned 64-bit counter as a number (exact below 2^53, then rounded once, as Number(bigint)
 * would), read through a DataView of the reading: V8 inlines DataView reads, where Buffer's
 * readUInt32BE is a call with its own checks, and a scrape reads 200,000 counters this way.
 */
export function readCounter(data: DataView, offset: number, bigEndian: boolean): number {
  return bigEndian
    ? data.getUint32(offset, false) * 4294967296 + data.getUint32(offset + 4, false)
    : data.getUint32(offset + 4, true) * 4294967296 + data.getUint32(offset, true);
}

/** A DataView over exactly the bytes of `data`. */
export function viewOf(data: Buffer): DataView {
  return new DataView(data.buffer, data.byteOffset, data.length);
}
