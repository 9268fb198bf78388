// The netlink request messages the native reader sends inside a namespace. Built here, in TypeScript,
// so the C side stays a generic "send these, collect the answers" loop.
// References: include/uapi/linux/rtnetlink.h, if_link.h, netfilter/nfnetlink.h, netfilter/nf_tables.h.

import { endianness } from 'node:os';

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;

const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const RTM_GETLINK = 18;
const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_GETTABLE = 1;
const NFT_MSG_GETCHAIN = 4;
const NFT_MSG_GETRULE = 7;
const NFNETLINK_V0 = 0;
const NFPROTO_UNSPEC = 0;

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

/**
 * RTM_GETLINK dump of every link with IFLA_STATS64: the attributes `ip link` shows and, from the
 * same dev_get_stats() call, every counter /proc/net/dev prints, so /proc/net/dev need not be read
 * as well (one file read fewer a namespace). (RTEXT_FILTER_SKIP_STATS, used before, only leaves out VF
 * statistics: IFLA_STATS64 was in the dump all along.)
 */
export function getLinkDumpRequest(): Buffer {
  return message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, Buffer.alloc(16)); // struct ifinfomsg
}

function nftDump(msg: number, family: number, seq: number): Buffer {
  const body = Buffer.from([family, NFNETLINK_V0, 0, 0]); // struct nfgenmsg
  return message((NFNL_SUBSYS_NFTABLES << 8) | msg, NLM_F_REQUEST | NLM_F_DUMP, seq, body);
}

/**
 * Table, chain and rule dumps of every nf_tables family at once (NFPROTO_UNSPEC), one after the other
 * on one socket: each reply carries its family, and one set of dumps for IPv4 and IPv6 together costs
 * about half of two per-family sets (the kernel walks the namespace's tables once per dump either way).
 */
export function nftRulesetDumpRequests(): Buffer {
  return Buffer.concat([
    nftDump(NFT_MSG_GETTABLE, NFPROTO_UNSPEC, 1),
    nftDump(NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, 2),
    nftDump(NFT_MSG_GETRULE, NFPROTO_UNSPEC, 3),
  ]);
}

const RTM_GETNEIGH = 30;

/**
 * The neighbour caches of every family: an RTM_GETNEIGH dump (struct ndmsg with AF_UNSPEC and no
 * NTF_PROXY: the ARP and NDP tables, not the proxy entries). Its messages carry only an ifindex; the
 * neighbor collector names the devices from the link dump the interfaces read anyway, rather than
 * from a second dump of every link with its statistics in front of it (as until 0.1: larger than the
 * neighbour dump itself, and parsed every scrape; docs/performance.md).
 */
export function getNeighbourDumpRequest(): Buffer {
  return message(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, 1, Buffer.alloc(12)); // struct ndmsg
}

const RTM_GETQDISC = 38;

/**
 * The tc read: an RTM_GETLINK dump (names for the ifindexes), then an RTM_GETQDISC dump (struct
 * tcmsg, AF_UNSPEC, no TCA_DUMP_INVISIBLE: the qdiscs `tc qdisc show` lists). The addon follows them
 * with the ingress filter dumps of the devices whose ingress or clsact qdisc the answer holds
 * (`ingressFilters`, native/src/requests.c): filters are dumped one device at a time.
 */
export function getTcDumpRequests(): Buffer {
  return Buffer.concat([
    message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, Buffer.alloc(16)), // struct ifinfomsg
    message(RTM_GETQDISC, NLM_F_REQUEST | NLM_F_DUMP, 2, Buffer.alloc(20)), // struct tcmsg
  ]);
}
