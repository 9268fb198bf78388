// RTM_NEWLINK messages (an RTM_GETLINK dump) -> the same LinkRecord that `ip -j link` gives.
// Names and formats follow iproute2: operstate names from ip/ipaddress.c (oper_states), link types
// from lib/ll_types.c, addresses from lib/ll_addr.c (ll_addr_n2a). Kernel side: include/uapi/linux/if_link.h.

import { endianness } from 'node:os';
import type { LinkRecord } from '../../model/records/links.js';
import {
  type NetDevRecord,
  RECEIVE_COUNTERS,
  type ReceiveCounter,
  TRANSMIT_COUNTERS,
  type TransmitCounter,
} from '../../model/records/net-dev.js';
import { readCounter } from '../binary-counters.js';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';
import {
  forEachAttribute,
  forEachNetlinkMessage,
  indexAttributes,
  neverThrow,
  NLMSG_DONE,
  readHostI32,
  readHostU16,
  readHostU32,
  stringAttribute,
  valueEnd,
  valueStart,
} from './netlink-messages.js';

const HOST_LITTLE_ENDIAN = endianness() === 'LE';
const RTM_NEWLINK = 16;
const IFINFOMSG_LEN = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_OPERSTATE = 16;
const IFLA_STATS64 = 23;

const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;

const ARPHRD_TUNNEL = 768;
const ARPHRD_TUNNEL6 = 769;
const ARPHRD_SIT = 776;
const ARPHRD_IPGRE = 778;
const ARPHRD_IP6GRE = 823;

const LINK_TYPES = new Map<number, string>([
  [0, 'netrom'],
  [1, 'ether'],
  [2, 'eether'],
  [3, 'ax25'],
  [4, 'pronet'],
  [5, 'chaos'],
  [6, 'ieee802'],
  [7, 'arcnet'],
  [8, 'atalk'],
  [15, 'dlci'],
  [19, 'atm'],
  [23, 'metricom'],
  [24, 'ieee1394'],
  [32, 'infiniband'],
  [256, 'slip'],
  [257, 'cslip'],
  [258, 'slip6'],
  [259, 'cslip6'],
  [260, 'rsrvd'],
  [264, 'adapt'],
  [270, 'rose'],
  [271, 'x25'],
  [272, 'hwx25'],
  [280, 'can'],
  [281, 'mctp'],
  [512, 'ppp'],
  [513, 'hdlc'],
  [516, 'lapb'],
  [517, 'ddcmp'],
  [518, 'rawhdlc'],
  [519, 'rawip'],
  [768, 'ipip'],
  [769, 'tunnel6'],
  [770, 'frad'],
  [771, 'skip'],
  [772, 'loopback'],
  [773, 'ltalk'],
  [774, 'fddi'],
  [775, 'bif'],
  [776, 'sit'],
  [777, 'ip/ddp'],
  [778, 'gre'],
  [779, 'pimreg'],
  [780, 'hippi'],
  [781, 'ash'],
  [782, 'econet'],
  [783, 'irda'],
  [784, 'fcpp'],
  [785, 'fcal'],
  [786, 'fcpl'],
  [787, 'fcfb0'],
  [800, 'tr'],
  [801, 'ieee802.11'],
  [802, 'ieee802.11/prism'],
  [803, 'ieee802.11/radiotap'],
  [804, 'ieee802.15.4'],
  [805, 'ieee802.15.4/monitor'],
  [820, 'phonet'],
  [821, 'phonet_pipe'],
  [822, 'caif'],
  [823, 'gre6'],
  [824, 'netlink'],
  [825, '6lowpan'],
  [826, 'vsockmon'],
  [0xfffe, 'none'],
  [0xffff, 'void'],
]);

function linkTypeName(type: number): string {
  return LINK_TYPES.get(type) ?? `[${type}]`;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** A u64 in host order as a number (exact below 2^53, rounded once above, as Number(bigint) would). */
function readHostCounter(buf: Buffer, offset: number): number {
  const low = readHostU32(buf, offset);
  const high = readHostU32(buf, offset + 4);
  return HOST_LITTLE_ENDIAN ? high * 4294967296 + low : low * 4294967296 + high;
}

/** ll_addr_n2a: IP tunnels show their endpoint as an IP address, everything else as colon-separated hex. */
function formatAddress(bytes: Buffer, type: number): string {
  if (bytes.length === 4 && (type === ARPHRD_TUNNEL || type === ARPHRD_SIT || type === ARPHRD_IPGRE)) {
    return Array.from(bytes).join('.');
  }
  if (bytes.length === 16 && (type === ARPHRD_TUNNEL6 || type === ARPHRD_IP6GRE)) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return compressIPv6(groups);
  }
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += (i === 0 ? '' : ':') + (HEX_BYTE[bytes[i] as number] as string);
  return text;
}

/** inet_ntop's IPv6 form: the longest run (of at least two) of zero groups becomes '::'. */
function compressIPv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/** Links and counters of a link dump, and where each counters row was read (see netDevColumn). */
export interface RtnetlinkInterfaces {
  readonly links: LinkRecord[];
  readonly counters: NetDevRecord[];
  /** Offset of the IFLA_STATS64 value each row of `counters` was read from. */
  readonly countersAt: number[];
  /**
   * Offset of the IFLA_CARRIER_CHANGES value of each of `links` (-1 when the link has none; empty
   * unless links were parsed). The count is volatile (rtnetlinkVolatileRanges): a later dump of the
   * same shape may differ there, so whoever keeps `links` across dumps must read carrierChanges again
   * from the new dump at these offsets (LINK_DUMP_LAYOUT, sources/link-dump.ts) instead of reusing
   * the kept value.
   */
  readonly carrierChangesAt: number[];
}

/** The links and where each one's IFLA_CARRIER_CHANGES is (-1: none), without the counters rows. */
export function parseRtnetlinkLinkTable(data: Buffer): ParseResult<Pick<RtnetlinkInterfaces, 'links' | 'carrierChangesAt'>> {
  return neverThrow('rtnetlink', () => parseDump(data, true, false));
}

/**
 * The /proc/net/dev row of every link, from the IFLA_STATS64 of an RTM_GETLINK dump, and where each
 * was read, without the links' attributes. Both come from one dev_get_stats(); the columns that
 * /proc/net/dev sums are summed the same way (net/core/net-procfs.c, dev_seq_printf_stats), so the
 * numbers are the same as the file's.
 */
export function parseRtnetlinkCounters(data: Buffer): ParseResult<Omit<RtnetlinkInterfaces, 'links'>> {
  return neverThrow('rtnetlink', () => parseDump(data, false, true));
}

const IFLA_STATS = 7;
const IFLA_AF_SPEC = 26;
const IFLA_CARRIER_CHANGES = 35;
const IFLA_CARRIER_UP_COUNT = 47;
const IFLA_CARRIER_DOWN_COUNT = 48;
const AF_INET6 = 10;
const IFLA_INET6_STATS = 3;
const IFLA_INET6_CACHEINFO = 5;
const IFLA_INET6_ICMP6STATS = 6;
/** Attributes that move with traffic or time and that no parser here reads, other than IFLA_STATS64. */
const MOVING_LINK_ATTRIBUTES = new Set([IFLA_STATS, IFLA_STATS64, IFLA_CARRIER_CHANGES, IFLA_CARRIER_UP_COUNT, IFLA_CARRIER_DOWN_COUNT]);
const MOVING_INET6_ATTRIBUTES = new Set([IFLA_INET6_STATS, IFLA_INET6_CACHEINFO, IFLA_INET6_ICMP6STATS]);

/**
 * Where a link dump may change while its links stay the same, besides each message's sequence number
 * and port id (netlinkHeaderRanges): the counters (IFLA_STATS64, which netDevColumn reads again at the same offset, and IFLA_STATS), the
 * carrier change counts and IPv6's statistics and cache info (its reachable time is re-randomized now
 * and then). None of them is read for anything but counters, so a dump equal outside them has the same
 * links, MTUs, addresses and operstates.
 */
export function rtnetlinkVolatileRanges(data: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  forEachNetlinkMessage(data, (message) => {
    if (message.type !== RTM_NEWLINK || message.payloadEnd - message.payloadStart < IFINFOMSG_LEN) return undefined;
    forEachAttribute(data, message.payloadStart + IFINFOMSG_LEN, message.payloadEnd, (type, start, end) => {
      if (MOVING_LINK_ATTRIBUTES.has(type)) ranges.push([start, end]);
      if (type !== IFLA_AF_SPEC) return;
      forEachAttribute(data, start, end, (family, familyStart, familyEnd) => {
        if (family !== AF_INET6) return;
        forEachAttribute(data, familyStart, familyEnd, (inet6, valueAt, valueEndAt) => {
          if (MOVING_INET6_ATTRIBUTES.has(inet6)) ranges.push([valueAt, valueEndAt]);
        });
      });
    });
    return undefined;
  });
  return ranges;
}

/** Fields of struct rtnl_link_stats64 (u64 each, host order) by index, as include/uapi/linux/if_link.h lists them. */
const STATS64 = {
  rxPackets: 0,
  txPackets: 1,
  rxBytes: 2,
  txBytes: 3,
  rxErrors: 4,
  txErrors: 5,
  rxDropped: 6,
  txDropped: 7,
  multicast: 8,
  collisions: 9,
  rxLengthErrors: 10,
  rxOverErrors: 11,
  rxCrcErrors: 12,
  rxFrameErrors: 13,
  rxFifoErrors: 14,
  rxMissedErrors: 15,
  txAbortedErrors: 16,
  txCarrierErrors: 17,
  txFifoErrors: 18,
  txHeartbeatErrors: 19,
  txWindowErrors: 20,
  rxCompressed: 21,
  txCompressed: 22,
} as const;
const STATS64_MIN_LEN = 23 * 8;

function parseDump(data: Buffer, wantLinks: boolean, wantCounters: boolean): ParseResult<RtnetlinkInterfaces> {
  const links: LinkRecord[] = [];
  const counters: NetDevRecord[] = [];
  const countersAt: number[] = [];
  const carrierChangesAt: number[] = [];
  // links want IFLA_CARRIER_CHANGES (35) too; a counters-only parse indexes no further than it did
  const maxType = wantLinks ? IFLA_CARRIER_CHANGES : IFLA_STATS64;
  let done = false;
  const problem = forEachNetlinkMessage(data, (message) => {
    if (message.type === NLMSG_DONE) done = true;
    if (message.type !== RTM_NEWLINK) return undefined;
    const { payloadStart: start, payloadEnd: end } = message;
    if (end - start < IFINFOMSG_LEN) return `rtnetlink: RTM_NEWLINK of ${end - start} bytes`;
    const type = readHostU16(data, start + 2);
    const ifindex = readHostI32(data, start + 4);
    const attributes = indexAttributes(data, start + IFINFOMSG_LEN, end, maxType);
    if (attributes === undefined) return `rtnetlink: malformed attributes of link ${ifindex}`;
    const device = stringAttribute(data, attributes, IFLA_IFNAME);
    if (device === undefined) return `rtnetlink: link ${ifindex} lacks IFLA_IFNAME`;
    if (wantLinks) {
      const mtuAt = valueStart(attributes, IFLA_MTU);
      if (mtuAt === -1 || valueEnd(attributes, IFLA_MTU) - mtuAt < 4) return `rtnetlink: link ${ifindex} lacks IFLA_MTU`;
      const operstateAt = valueStart(attributes, IFLA_OPERSTATE);
      const addressAt = valueStart(attributes, IFLA_ADDRESS);
      const carrierAt =
        valueEnd(attributes, IFLA_CARRIER_CHANGES) - valueStart(attributes, IFLA_CARRIER_CHANGES) >= 4
          ? valueStart(attributes, IFLA_CARRIER_CHANGES)
          : -1;
      carrierChangesAt.push(carrierAt);
      links.push({
        ifindex,
        device,
        operstate:
          operstateAt !== -1 && valueEnd(attributes, IFLA_OPERSTATE) > operstateAt
            ? (OPER_STATES[data[operstateAt] as number] ?? 'UNKNOWN')
            : 'UNKNOWN',
        mtu: readHostU32(data, mtuAt),
        address: addressAt === -1 ? '' : formatAddress(data.subarray(addressAt, valueEnd(attributes, IFLA_ADDRESS)), type),
        linkType: linkTypeName(type),
        // since Linux 3.15; always there on the kernels this exporter runs on
        carrierChanges: carrierAt === -1 ? undefined : readHostU32(data, carrierAt),
      });
    }
    if (wantCounters) {
      const at = valueStart(attributes, IFLA_STATS64);
      if (at === -1 || valueEnd(attributes, IFLA_STATS64) - at < STATS64_MIN_LEN) return `rtnetlink: link ${ifindex} lacks IFLA_STATS64`;
      counters.push(netDevRow(data, device, at));
      countersAt.push(at);
    }
    return undefined;
  });
  if (problem !== undefined) return parseFailure(problem);
  if (!done) return parseFailure('rtnetlink: dump has no NLMSG_DONE (truncated)');
  return parsed({ links, counters, countersAt, carrierChangesAt });
}

/**
 * /proc/net/dev's 16 columns, receive then transmit in RECEIVE_COUNTERS and TRANSMIT_COUNTERS order,
 * as the rtnl_link_stats64 fields each one adds up (the kernel's dev_seq_printf_stats).
 */
const NET_DEV_COLUMNS: readonly (readonly number[])[] = [
  [STATS64.rxBytes],
  [STATS64.rxPackets],
  [STATS64.rxErrors],
  [STATS64.rxDropped, STATS64.rxMissedErrors],
  [STATS64.rxFifoErrors],
  [STATS64.rxLengthErrors, STATS64.rxOverErrors, STATS64.rxCrcErrors, STATS64.rxFrameErrors],
  [STATS64.rxCompressed],
  [STATS64.multicast],
  [STATS64.txBytes],
  [STATS64.txPackets],
  [STATS64.txErrors],
  [STATS64.txDropped],
  [STATS64.txFifoErrors],
  [STATS64.collisions],
  [STATS64.txCarrierErrors, STATS64.txAbortedErrors, STATS64.txWindowErrors, STATS64.txHeartbeatErrors],
  [STATS64.txCompressed],
];

/** Column `column` of /proc/net/dev (0-15: receive, then transmit) from the rtnl_link_stats64 at `at`. */
function netDevColumn(data: Buffer, at: number, column: number): number {
  const fields = NET_DEV_COLUMNS[column] as readonly number[];
  let sum = 0;
  for (const field of fields) sum += readHostCounter(data, at + 8 * field);
  return sum;
}

/** netDevColumn through a DataView of the dump (the same-shape refill reads counters this way). */
export function netDevColumnAt(view: DataView, at: number, column: number): number {
  const fields = NET_DEV_COLUMNS[column] as readonly number[];
  let sum = 0;
  for (const field of fields) sum += readCounter(view, at + 8 * field, !HOST_LITTLE_ENDIAN);
  return sum;
}

/** /proc/net/dev's row of a device from the rtnl_link_stats64 at `at`. */
function netDevRow(data: Buffer, device: string, at: number): NetDevRecord {
  const receive = {} as Record<ReceiveCounter, number>;
  RECEIVE_COUNTERS.forEach((counter, i) => (receive[counter] = netDevColumn(data, at, i)));
  const transmit = {} as Record<TransmitCounter, number>;
  TRANSMIT_COUNTERS.forEach((counter, i) => (transmit[counter] = netDevColumn(data, at, RECEIVE_COUNTERS.length + i)));
  return { device, receive, transmit };
}
