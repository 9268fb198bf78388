// Netlink framing shared by the rtnetlink and nfnetlink parsers: walk a byte stream message by message
// and a message body attribute by attribute. Header fields and rtnetlink values are in the host's byte
// order (the bytes come from this machine's kernel); nftables attribute values are big-endian.
// Reference: include/uapi/linux/netlink.h.
//
// Nothing here copies or slices: a scrape parses tens of thousands of attributes, and a Buffer view
// per attribute (subarray) cost more than all the rest of the parsing together. Attributes are
// addressed by offsets into the one buffer instead.

import { endianness } from 'node:os';
import { parseFailure, type ParseResult } from '../parse-result.js';

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

export const NLMSG_HDRLEN = 16;
const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
const NLA_HDRLEN = 4;
/** Attribute type bits; the top two are NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
const NLA_TYPE_MASK = 0x3fff;

export function readHostU16(buf: Buffer, offset: number): number {
  return HOST_LITTLE_ENDIAN ? buf.readUInt16LE(offset) : buf.readUInt16BE(offset);
}

export function readHostU32(buf: Buffer, offset: number): number {
  return HOST_LITTLE_ENDIAN ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
}

export function readHostI32(buf: Buffer, offset: number): number {
  return HOST_LITTLE_ENDIAN ? buf.readInt32LE(offset) : buf.readInt32BE(offset);
}

export function readHostU64(buf: Buffer, offset: number): number {
  return Number(HOST_LITTLE_ENDIAN ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset));
}

/**
 * Runs a parser so that it honours the never-throw contract even on bytes its checks did not foresee
 * (a RangeError from a Buffer read becomes a parse failure with the reason).
 */
export function neverThrow<T>(what: string, parse: () => ParseResult<T>): ParseResult<T> {
  try {
    return parse();
  } catch (error) {
    return parseFailure(`${what}: malformed input (${error instanceof Error ? error.message : String(error)})`);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One netlink message: its header fields and where its payload lies in the buffer. */
export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly payloadStart: number;
  readonly payloadEnd: number;
}

/**
 * Calls `visit` for each message in order; stops at the first malformed header or NLMSG_ERROR with a
 * non-zero code and returns the reason, or undefined when the whole buffer was framed correctly.
 */
export function forEachNetlinkMessage(data: Buffer, visit: (message: NetlinkMessage) => string | undefined): string | undefined {
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < NLMSG_HDRLEN) return `netlink: ${data.length - offset} trailing bytes at offset ${offset}`;
    const length = readHostU32(data, offset);
    if (length < NLMSG_HDRLEN || length > data.length - offset) {
      return `netlink: message length ${length} at offset ${offset} does not fit ${data.length} bytes`;
    }
    const type = readHostU16(data, offset + 4);
    if (type === NLMSG_ERROR) {
      const code = length >= NLMSG_HDRLEN + 4 ? readHostI32(data, offset + NLMSG_HDRLEN) : Number.NaN;
      if (code !== 0) return `netlink: error message with code ${code} at offset ${offset}`;
    }
    const problem = visit({ type, flags: readHostU16(data, offset + 6), payloadStart: offset + NLMSG_HDRLEN, payloadEnd: offset + length });
    if (problem !== undefined) return problem;
    offset += align4(length);
  }
  return undefined;
}

/**
 * Where each attribute type's (first) value lies in a run of attributes: value start at [2 * type],
 * end at [2 * type + 1], -1 when absent. Types above `maxType` are ignored. Undefined when malformed.
 */
export type AttributeIndex = number[];

export function indexAttributes(buf: Buffer, start: number, end: number, maxType: number): AttributeIndex | undefined {
  // a plain array: V8 allocates small SMI arrays far faster than typed arrays
  const index: number[] = [];
  for (let i = 0; i < 2 * (maxType + 1); i++) index.push(-1);
  for (let offset = start; offset + NLA_HDRLEN <= end;) {
    const length = readHostU16(buf, offset);
    if (length < NLA_HDRLEN || length > end - offset) return undefined;
    const type = readHostU16(buf, offset + 2) & NLA_TYPE_MASK;
    if (type <= maxType && index[2 * type] === -1) {
      index[2 * type] = offset + NLA_HDRLEN;
      index[2 * type + 1] = offset + length;
    }
    offset += align4(length);
  }
  return index;
}

/** Calls `visit(type, valueStart, valueEnd)` for every attribute, repeated ones included; false when malformed. */
export function forEachAttribute(
  buf: Buffer,
  start: number,
  end: number,
  visit: (type: number, valueStart: number, valueEnd: number) => void,
): boolean {
  for (let offset = start; offset + NLA_HDRLEN <= end;) {
    const length = readHostU16(buf, offset);
    if (length < NLA_HDRLEN || length > end - offset) return false;
    visit(readHostU16(buf, offset + 2) & NLA_TYPE_MASK, offset + NLA_HDRLEN, offset + length);
    offset += align4(length);
  }
  return true;
}

export function has(index: AttributeIndex, type: number): boolean {
  return (index[2 * type] ?? -1) !== -1;
}

export function valueStart(index: AttributeIndex, type: number): number {
  return index[2 * type] ?? -1;
}

export function valueEnd(index: AttributeIndex, type: number): number {
  return index[2 * type + 1] ?? -1;
}

/** Decodes a NUL-terminated string between `start` and `end`; short ASCII strings skip the UTF-8 decoder. */
export function cString(buf: Buffer, start: number, end: number): string {
  let stop = start;
  let ascii = true;
  while (stop < end && buf[stop] !== 0) {
    if ((buf[stop] as number) >= 0x80) ascii = false;
    stop++;
  }
  if (!ascii || stop - start > 32) return buf.toString('utf8', start, stop);
  let text = '';
  for (let i = start; i < stop; i++) text += String.fromCharCode(buf[i] as number);
  return text;
}

/** A string attribute, or undefined when absent. */
export function stringAttribute(buf: Buffer, index: AttributeIndex, type: number): string | undefined {
  return has(index, type) ? cString(buf, valueStart(index, type), valueEnd(index, type)) : undefined;
}

/** A big-endian u32 attribute (nftables), or undefined when absent or short. */
export function be32Attribute(buf: Buffer, index: AttributeIndex, type: number): number | undefined {
  const start = valueStart(index, type);
  return start !== -1 && valueEnd(index, type) - start >= 4 ? buf.readUInt32BE(start) : undefined;
}

/** A big-endian u64 attribute (nftables counters), 0 when absent or short. */
export function be64Attribute(buf: Buffer, index: AttributeIndex, type: number): number {
  const start = valueStart(index, type);
  return start !== -1 && valueEnd(index, type) - start >= 8 ? Number(buf.readBigUInt64BE(start)) : 0;
}

/** The attributes nested in attribute `type`, or undefined when absent or malformed. */
export function nestedIndex(buf: Buffer, index: AttributeIndex, type: number, maxType: number): AttributeIndex | undefined {
  return has(index, type) ? indexAttributes(buf, valueStart(index, type), valueEnd(index, type), maxType) : undefined;
}
