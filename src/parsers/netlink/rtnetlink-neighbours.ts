// An RTM_GETLINK dump followed by an RTM_GETNEIGH dump (AF_UNSPEC), the answer to
// getNeighbourDumpRequests(), -> counts per device, family and state, the same as `ip -j neigh show
// nud all` gives (see neighbour-counts.ts for what is counted). Neighbour messages carry only an
// ifindex, so the link dump in front names the devices, as iproute2's ll_init_map does.
// Kernel side: include/uapi/linux/neighbour.h (struct ndmsg, NUD_*, NTF_*), net/core/neighbour.c.

import type { NeighbourCount } from '../../model/records/neighbours.js';
import { NeighbourCounter, nudStateName } from '../neighbour-counts.js';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';
import {
  forEachNetlinkMessage,
  indexAttributes,
  neverThrow,
  NLMSG_DONE,
  readHostI32,
  readHostU16,
  stringAttribute,
} from './netlink-messages.js';

const RTM_NEWLINK = 16;
const RTM_NEWNEIGH = 28;
const IFINFOMSG_LEN = 16;
const IFLA_IFNAME = 3;
/** struct ndmsg: family u8, 3 bytes padding, ifindex s32, state u16, flags u8, type u8. */
const NDMSG_LEN = 12;
const NTF_PROXY = 0x08;
const AF_INET = 2;
const AF_INET6 = 10;

export function parseRtnetlinkNeighbours(data: Buffer): ParseResult<NeighbourCount[]> {
  return neverThrow('rtnetlink neighbours', () => {
    const names = new Map<number, string>();
    const entries: { ifindex: number; family: 'ipv4' | 'ipv6'; state: number }[] = [];
    let dumpsDone = 0;
    const problem = forEachNetlinkMessage(data, (message) => {
      const { type, payloadStart: start, payloadEnd: end } = message;
      if (type === NLMSG_DONE) {
        dumpsDone++;
        return undefined;
      }
      if (type === RTM_NEWLINK) {
        if (dumpsDone !== 0) return 'rtnetlink neighbours: a link after the link dump ended';
        if (end - start < IFINFOMSG_LEN) return `rtnetlink neighbours: RTM_NEWLINK of ${end - start} bytes`;
        const ifindex = readHostI32(data, start + 4);
        const attributes = indexAttributes(data, start + IFINFOMSG_LEN, end, IFLA_IFNAME);
        const name = attributes === undefined ? undefined : stringAttribute(data, attributes, IFLA_IFNAME);
        if (name === undefined) return `rtnetlink neighbours: link ${ifindex} has no IFLA_IFNAME`;
        names.set(ifindex, name);
        return undefined;
      }
      if (type !== RTM_NEWNEIGH) return undefined;
      if (dumpsDone !== 1) return 'rtnetlink neighbours: a neighbour outside the neighbour dump (is the link dump missing?)';
      if (end - start < NDMSG_LEN) return `rtnetlink neighbours: RTM_NEWNEIGH of ${end - start} bytes`;
      const family = data[start] as number;
      // only with NTF_PROXY in the request, which getNeighbourDumpRequests() does not set; skipped
      // should a proxy entry come anyway, as `ip neigh` without `proxy` never shows one
      if (((data[start + 10] as number) & NTF_PROXY) !== 0) return undefined;
      // an AF_UNSPEC dump walks every neighbour table: ARP and NDP (DECnet's went in Linux 6.1)
      if (family !== AF_INET && family !== AF_INET6) return undefined;
      entries.push({
        ifindex: readHostI32(data, start + 4),
        family: family === AF_INET ? 'ipv4' : 'ipv6',
        state: readHostU16(data, start + 8),
      });
      return undefined;
    });
    if (problem !== undefined) return parseFailure(problem);
    if (dumpsDone !== 2) return parseFailure(`rtnetlink neighbours: ${dumpsDone} of 2 dumps complete (truncated)`);
    const counter = new NeighbourCounter();
    for (const entry of entries) {
      const device = names.get(entry.ifindex);
      // a device made between the two dumps (a deleted one takes its neighbours with it): do not guess
      if (device === undefined)
        return parseFailure(`rtnetlink neighbours: neighbour on ifindex ${entry.ifindex}, which the link dump does not have`);
      counter.add(device, entry.family, nudStateName(entry.state));
    }
    return parsed(counter.result());
  });
}
