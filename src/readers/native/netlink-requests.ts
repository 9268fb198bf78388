// The netlink request messages the native reader sends inside a namespace. Built here, in TypeScript,
// so the C side stays a generic "send these, collect the answers" loop.
// References: include/uapi/linux/rtnetlink.h, if_link.h, netfilter/nfnetlink.h, netfilter/nf_tables.h.

import { endianness } from 'node:os';

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;

const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const RTM_GETLINK = 18;
const IFLA_EXT_MASK = 29;
/** Leave IFLA_STATS/IFLA_STATS64 out: counters come from /proc/net/dev, and the dump is half the size. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_GETTABLE = 1;
const NFT_MSG_GETCHAIN = 4;
const NFT_MSG_GETRULE = 7;
const NFNETLINK_V0 = 0;
export const NFPROTO_IPV4 = 2;
export const NFPROTO_IPV6 = 10;

const LITTLE_ENDIAN = endianness() === 'LE';

function writeU16(buf: Buffer, value: number, offset: number): void {
  if (LITTLE_ENDIAN) buf.writeUInt16LE(value, offset);
  else buf.writeUInt16BE(value, offset);
}

function writeU32(buf: Buffer, value: number, offset: number): void {
  if (LITTLE_ENDIAN) buf.writeUInt32LE(value, offset);
  else buf.writeUInt32BE(value, offset);
}

function message(type: number, flags: number, seq: number, body: Buffer): Buffer {
  const buf = Buffer.alloc(16 + body.length);
  writeU32(buf, buf.length, 0);
  writeU16(buf, type, 4);
  writeU16(buf, flags, 6);
  writeU32(buf, seq, 8);
  body.copy(buf, 16);
  return buf;
}

/** RTM_GETLINK dump of every link, without statistics. */
export function getLinkDumpRequest(): Buffer {
  const body = Buffer.alloc(16 + 8); // struct ifinfomsg, then IFLA_EXT_MASK
  writeU16(body, 8, 16);
  writeU16(body, IFLA_EXT_MASK, 18);
  writeU32(body, RTEXT_FILTER_SKIP_STATS, 20);
  return message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, body);
}

function nftDump(msg: number, family: number, seq: number): Buffer {
  const body = Buffer.from([family, NFNETLINK_V0, 0, 0]); // struct nfgenmsg
  return message((NFNL_SUBSYS_NFTABLES << 8) | msg, NLM_F_REQUEST | NLM_F_DUMP, seq, body);
}

/** Table, chain and rule dumps of one nf_tables family, sent one after the other on one socket. */
export function nftRulesetDumpRequests(family: typeof NFPROTO_IPV4 | typeof NFPROTO_IPV6): Buffer {
  return Buffer.concat([nftDump(NFT_MSG_GETTABLE, family, 1), nftDump(NFT_MSG_GETCHAIN, family, 2), nftDump(NFT_MSG_GETRULE, family, 3)]);
}
