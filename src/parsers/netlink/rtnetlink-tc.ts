// The answer to the tc native read (sources/tc.ts): an RTM_GETLINK dump (names for the ifindexes),
// an RTM_GETQDISC dump, then one RTM_GETTFILTER dump per device with an ingress or clsact qdisc
// (the addon adds those, native/src/requests.c) -> the same records `tc -s -j` gives
// (parsers/tc-json.ts), labels spelled as tc spells them (parsers/tc-handles.ts).
// Kernel side: include/uapi/linux/rtnetlink.h (struct tcmsg, TCA_*), gen_stats.h (TCA_STATS_*,
// struct gnet_stats_basic, gnet_stats_queue), pkt_sched.h (struct tc_stats), pkt_cls.h
// (TCA_ACT_*, the classifiers' *_ACT attributes); iproute2 tc/tc_util.c print_tcstats2_attr.

import type { QdiscRecord, TcActionRecord, TcTable } from '../../model/records/tc.js';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';
import { filterHandle, qdiscHandle, tcClassid } from '../tc-handles.js';
import {
  forEachNetlinkMessage as forEachMessage,
  forEachAttribute,
  has,
  indexAttributes,
  nestedIndex,
  neverThrow,
  NLMSG_DONE,
  readHostI32,
  readHostU32,
  readHostU64,
  stringAttribute,
  valueEnd,
  valueStart,
  type AttributeIndex,
} from './netlink-messages.js';

const RTM_NEWLINK = 16;
const RTM_NEWQDISC = 36;
const RTM_NEWTFILTER = 44;
const IFINFOMSG_LEN = 16;
const IFLA_IFNAME = 3;
/** struct tcmsg: family u8, 3 bytes padding, ifindex s32, handle u32, parent u32, info u32. */
const TCMSG_LEN = 20;

const TCA_KIND = 1;
const TCA_OPTIONS = 2;
const TCA_STATS = 3;
const TCA_STATS2 = 7;
const TCA_MAX = TCA_STATS2;

const TCA_STATS_BASIC = 1;
const TCA_STATS_QUEUE = 3;
const TCA_STATS_PKT64 = 8;
const TCA_STATS_MAX = TCA_STATS_PKT64;

const TCA_ACT_KIND = 1;
const TCA_ACT_STATS = 4;
const TCA_ACT_MAX = TCA_ACT_STATS;

/** Where each classifier keeps its actions in TCA_OPTIONS (pkt_cls.h: TCA_U32_ACT, TCA_MATCHALL_ACT, ...). */
const ACTIONS_ATTRIBUTE: Readonly<Record<string, number>> = {
  u32: 7,
  matchall: 2,
  bpf: 1,
  flower: 3,
  basic: 3,
  fw: 4,
  route: 6,
  cgroup: 1,
};

interface Counters {
  bytes: number;
  packets: number;
  drops: number;
  requeues: number;
  overlimits: number;
  backlog: number;
  qlen: number;
}

/**
 * TCA_STATS2 (basic: bytes u64, packets u32; queue: qlen, backlog, drops, requeues, overlimits u32;
 * PKT64 when the packet count passed 2^32), else the old struct tc_stats (bytes u64, packets, drops,
 * overlimits, bps, pps, qlen, backlog u32), as print_tcstats2_attr and print_tcstats_attr prefer them.
 */
function countersIn(data: Buffer, stats2: AttributeIndex | undefined, old: [number, number] | undefined): Counters | string {
  if (stats2 !== undefined) {
    const basic = valueStart(stats2, TCA_STATS_BASIC);
    const queue = valueStart(stats2, TCA_STATS_QUEUE);
    if (basic === -1 || valueEnd(stats2, TCA_STATS_BASIC) - basic < 12) return 'TCA_STATS2 without TCA_STATS_BASIC';
    if (queue === -1 || valueEnd(stats2, TCA_STATS_QUEUE) - queue < 20) return 'TCA_STATS2 without TCA_STATS_QUEUE';
    const pkt64 = valueStart(stats2, TCA_STATS_PKT64);
    return {
      bytes: readHostU64(data, basic),
      packets: pkt64 !== -1 && valueEnd(stats2, TCA_STATS_PKT64) - pkt64 >= 8 ? readHostU64(data, pkt64) : readHostU32(data, basic + 8),
      qlen: readHostU32(data, queue),
      backlog: readHostU32(data, queue + 4),
      drops: readHostU32(data, queue + 8),
      requeues: readHostU32(data, queue + 12),
      overlimits: readHostU32(data, queue + 16),
    };
  }
  if (old !== undefined && old[1] - old[0] >= 36) {
    const at = old[0];
    return {
      bytes: readHostU64(data, at),
      packets: readHostU32(data, at + 8),
      drops: readHostU32(data, at + 12),
      overlimits: readHostU32(data, at + 16),
      requeues: 0,
      qlen: readHostU32(data, at + 28),
      backlog: readHostU32(data, at + 32),
    };
  }
  return 'no statistics (neither TCA_STATS2 nor TCA_STATS)';
}

function oldStats(attributes: AttributeIndex): [number, number] | undefined {
  return has(attributes, TCA_STATS) ? [valueStart(attributes, TCA_STATS), valueEnd(attributes, TCA_STATS)] : undefined;
}

function forEachNetlinkMessage(buf: Buffer, visit: (type: number, start: number, end: number) => string | undefined): string | undefined {
  return forEachMessage(buf, (message) => visit(message.type, message.payloadStart, message.payloadEnd));
}

export function parseRtnetlinkTc(data: Buffer): ParseResult<TcTable> {
  return neverThrow('rtnetlink tc', () => {
    const names = new Map<number, string>();
    const qdiscs: (Omit<QdiscRecord, 'device'> & { ifindex: number })[] = [];
    const actions: (Omit<TcActionRecord, 'device'> & { ifindex: number })[] = [];
    let dumpsDone = 0;
    const problem = forEachNetlinkMessage(data, (type, start, end) => {
      if (type === NLMSG_DONE) {
        dumpsDone++;
        return undefined;
      }
      if (type === RTM_NEWLINK) {
        if (dumpsDone !== 0) return 'rtnetlink tc: a link after the link dump ended';
        if (end - start < IFINFOMSG_LEN) return `rtnetlink tc: RTM_NEWLINK of ${end - start} bytes`;
        const ifindex = readHostI32(data, start + 4);
        const attributes = indexAttributes(data, start + IFINFOMSG_LEN, end, IFLA_IFNAME);
        const name = attributes === undefined ? undefined : stringAttribute(data, attributes, IFLA_IFNAME);
        if (name === undefined) return `rtnetlink tc: link ${ifindex} has no IFLA_IFNAME`;
        names.set(ifindex, name);
        return undefined;
      }
      if (type !== RTM_NEWQDISC && type !== RTM_NEWTFILTER) return undefined;
      if (end - start < TCMSG_LEN) return `rtnetlink tc: message of type ${type} of ${end - start} bytes`;
      const ifindex = readHostI32(data, start + 4);
      const handle = readHostU32(data, start + 8);
      const parent = readHostU32(data, start + 12);
      const attributes = indexAttributes(data, start + TCMSG_LEN, end, TCA_MAX);
      if (attributes === undefined) return `rtnetlink tc: malformed attributes on ifindex ${ifindex}`;
      const kind = stringAttribute(data, attributes, TCA_KIND);
      if (kind === undefined || kind === '') return `rtnetlink tc: no TCA_KIND on ifindex ${ifindex}`;
      if (type === RTM_NEWQDISC) {
        if (dumpsDone !== 1) return 'rtnetlink tc: a qdisc outside the qdisc dump (is the link dump missing?)';
        const counters = countersIn(data, nestedIndex(data, attributes, TCA_STATS2, TCA_STATS_MAX), oldStats(attributes));
        if (typeof counters === 'string') return `rtnetlink tc: qdisc ${kind} on ifindex ${ifindex}: ${counters}`;
        qdiscs.push({ ifindex, kind, handle: qdiscHandle(handle), parent: tcClassid(parent), ...counters });
        return undefined;
      }
      if (dumpsDone < 2) return 'rtnetlink tc: a filter before the qdisc dump ended';
      const actionsType = ACTIONS_ATTRIBUTE[kind];
      const options = actionsType === undefined ? undefined : nestedIndex(data, attributes, TCA_OPTIONS, actionsType);
      if (options === undefined || actionsType === undefined || !has(options, actionsType)) return undefined; // no actions here
      const info = readHostU32(data, start + 16);
      const filter = { ifindex, parent: tcClassid(parent), pref: info >>> 16, filterKind: kind, handle: filterHandle(kind, handle) };
      let bad: string | undefined;
      const wellFormed = forEachAttribute(data, valueStart(options, actionsType), valueEnd(options, actionsType), (order, from, to) => {
        if (bad !== undefined) return;
        const action = indexAttributes(data, from, to, TCA_ACT_MAX);
        const actionKind = action === undefined ? undefined : stringAttribute(data, action, TCA_ACT_KIND);
        if (action === undefined || actionKind === undefined) {
          bad = `action ${order} without TCA_ACT_KIND`;
          return;
        }
        const counters = countersIn(data, nestedIndex(data, action, TCA_ACT_STATS, TCA_STATS_MAX), undefined);
        if (typeof counters === 'string') {
          bad = `action ${order} (${actionKind}): ${counters}`;
          return;
        }
        const { bytes, packets, drops, overlimits } = counters;
        actions.push({ ...filter, action: actionKind, order, bytes, packets, drops, overlimits });
      });
      if (!wellFormed) bad = 'malformed action list';
      return bad === undefined ? undefined : `rtnetlink tc: ${kind} filter pref ${filter.pref} on ifindex ${ifindex}: ${bad}`;
    });
    if (problem !== undefined) return parseFailure(problem);
    if (dumpsDone < 2) return parseFailure(`rtnetlink tc: ${dumpsDone} of at least 2 dumps complete (truncated)`);
    const named = <T extends { ifindex: number }>(record: T): (Omit<T, 'ifindex'> & { device: string }) | undefined => {
      const device = names.get(record.ifindex);
      if (device === undefined) return undefined;
      const { ifindex: _ifindex, ...rest } = record;
      return { ...rest, device };
    };
    const qdiscRecords: QdiscRecord[] = [];
    for (const qdisc of qdiscs) {
      const record = named(qdisc);
      // a device made between the dumps: do not guess its name
      if (record === undefined) return parseFailure(`rtnetlink tc: qdisc on ifindex ${qdisc.ifindex}, which the link dump does not have`);
      qdiscRecords.push(record);
    }
    const actionRecords: TcActionRecord[] = [];
    for (const action of actions) {
      const record = named(action);
      if (record === undefined) return parseFailure(`rtnetlink tc: filter on ifindex ${action.ifindex}, which the link dump does not have`);
      actionRecords.push(record);
    }
    return parsed({ qdiscs: qdiscRecords, actions: actionRecords });
  });
}
