// An RTM_GETNEIGH dump (AF_UNSPEC), the answer to getNeighbourDumpRequest(), -> counts per ifindex,
// family and state (see neighbour-counts.ts for what is counted): the same counts `ip -j neigh show nud
// all` gives once namedNeighbourCounts() has named the devices from a link dump, as iproute2's
// ll_init_map does. Also where the dump's bytes move while its entries stay (the refill's layout).
// Kernel side: include/uapi/linux/neighbour.h (struct ndmsg, NDA_*, NUD_*, NTF_*), net/core/neighbour.c.

import type { NeighbourCount } from '../../model/records/neighbours.js';
import { NeighbourCounter, nudStateName } from '../neighbour-counts.js';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';
import { forEachAttribute, forEachNetlinkMessage, neverThrow, NLMSG_DONE, readHostI32, readHostU16 } from './netlink-messages.js';

const RTM_NEWNEIGH = 28;
/** struct ndmsg: family u8, 3 bytes padding, ifindex s32, state u16, flags u8, type u8. */
const NDMSG_LEN = 12;
const NTF_PROXY = 0x08;
const AF_INET = 2;
const AF_INET6 = 10;
/** struct nda_cacheinfo (confirmed, used, updated ages and a refcount) and the probe count: they move while an entry stays. */
const NDA_CACHEINFO = 3;
const NDA_PROBES = 4;

export function parseRtnetlinkNeighbours(data: Buffer): ParseResult<NeighbourCount[]> {
  return neverThrow('rtnetlink neighbours', () => {
    const counter = new NeighbourCounter();
    let done = false;
    const problem = forEachNetlinkMessage(data, (message) => {
      const { type, payloadStart: start, payloadEnd: end } = message;
      if (done) return 'rtnetlink neighbours: a message after the dump ended';
      if (type === NLMSG_DONE) {
        done = true;
        return undefined;
      }
      if (type !== RTM_NEWNEIGH) return undefined;
      if (end - start < NDMSG_LEN) return `rtnetlink neighbours: RTM_NEWNEIGH of ${end - start} bytes`;
      const family = data[start] as number;
      // only with NTF_PROXY in the request, which getNeighbourDumpRequest() does not set; skipped
      // should a proxy entry come anyway, as `ip neigh` without `proxy` never shows one
      if (((data[start + 10] as number) & NTF_PROXY) !== 0) return undefined;
      // an AF_UNSPEC dump walks every neighbour table: ARP and NDP (DECnet's went in Linux 6.1)
      if (family !== AF_INET && family !== AF_INET6) return undefined;
      counter.add(readHostI32(data, start + 4), family === AF_INET ? 'ipv4' : 'ipv6', nudStateName(readHostU16(data, start + 8)));
      return undefined;
    });
    if (problem !== undefined) return parseFailure(problem);
    if (!done) return parseFailure('rtnetlink neighbours: the dump did not end (truncated)');
    return parsed(counter.result());
  });
}

/**
 * Where a neighbour dump moves while its entries keep their devices, families and states: each
 * entry's cache ages and probe count. Anything else that differs (a state, an address, an entry more
 * or less, another order) is another shape, parsed again.
 */
export function rtnetlinkNeighbourVolatileRanges(data: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  forEachNetlinkMessage(data, (message) => {
    if (message.type !== RTM_NEWNEIGH || message.payloadEnd - message.payloadStart < NDMSG_LEN) return undefined;
    forEachAttribute(data, message.payloadStart + NDMSG_LEN, message.payloadEnd, (type, start, end) => {
      if (type === NDA_CACHEINFO || type === NDA_PROBES) ranges.push([start, end]);
    });
    return undefined;
  });
  return ranges;
}
