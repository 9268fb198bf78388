// Netlink framing shared by the rtnetlink and nfnetlink parsers: split a byte stream into messages and
// a payload into attributes. Header fields and rtnetlink values are in the host's byte order (the bytes
// come from this machine's kernel); nftables attribute values are big-endian and read as such by callers.
// Reference: include/uapi/linux/netlink.h.

import { endianness } from 'node:os';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

export const NLMSG_HDRLEN = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
const NLA_HDRLEN = 4;
/** Attribute type bits; the top two are NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
const NLA_TYPE_MASK = 0x3fff;

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  /** The bytes after the 16-byte header, up to nlmsg_len. */
  readonly payload: Buffer;
}

export interface NetlinkAttribute {
  readonly type: number;
  readonly value: Buffer;
}

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

/** Splits concatenated netlink messages; an NLMSG_ERROR with a non-zero code is a failure. */
export function splitNetlinkMessages(data: Buffer): ParseResult<NetlinkMessage[]> {
  const messages: NetlinkMessage[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < NLMSG_HDRLEN) return parseFailure(`netlink: ${data.length - offset} trailing bytes at offset ${offset}`);
    const length = readHostU32(data, offset);
    if (length < NLMSG_HDRLEN || length > data.length - offset) {
      return parseFailure(`netlink: message length ${length} at offset ${offset} does not fit ${data.length} bytes`);
    }
    const message: NetlinkMessage = {
      type: readHostU16(data, offset + 4),
      flags: readHostU16(data, offset + 6),
      seq: readHostU32(data, offset + 8),
      payload: data.subarray(offset + NLMSG_HDRLEN, offset + length),
    };
    if (message.type === NLMSG_ERROR) {
      const code = message.payload.length >= 4 ? readHostI32(message.payload, 0) : Number.NaN;
      if (code !== 0) return parseFailure(`netlink: error message with code ${code} at offset ${offset}`);
    }
    messages.push(message);
    offset += align4(length);
  }
  return parsed(messages);
}

/** Splits a run of attributes (a message body after its fixed header, or a nested attribute's value). */
export function splitAttributes(buf: Buffer, start = 0): ParseResult<NetlinkAttribute[]> {
  const attributes: NetlinkAttribute[] = [];
  let offset = start;
  while (offset + NLA_HDRLEN <= buf.length) {
    const length = readHostU16(buf, offset);
    if (length < NLA_HDRLEN || length > buf.length - offset) {
      return parseFailure(`netlink: attribute length ${length} at offset ${offset} does not fit ${buf.length} bytes`);
    }
    attributes.push({
      type: readHostU16(buf, offset + 2) & NLA_TYPE_MASK,
      value: buf.subarray(offset + NLA_HDRLEN, offset + length),
    });
    offset += align4(length);
  }
  return parsed(attributes);
}

/** First attribute of each type, for attributes that occur once. */
export function attributeMap(attributes: readonly NetlinkAttribute[]): Map<number, Buffer> {
  const map = new Map<number, Buffer>();
  for (const attribute of attributes) if (!map.has(attribute.type)) map.set(attribute.type, attribute.value);
  return map;
}

/** A NUL-terminated string attribute (names, comments); bytes after the first NUL are ignored. */
export function attributeString(value: Buffer | undefined): string | undefined {
  if (value === undefined) return undefined;
  const nul = value.indexOf(0);
  return value.toString('utf8', 0, nul === -1 ? value.length : nul);
}
