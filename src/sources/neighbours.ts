// The neighbour (ARP and NDP) cache, counted per device, family and state. exec: `ip -j neigh show
// nud all` (without `nud all` ip hides NOARP and NUD_NONE entries); native: a neighbour dump, whose
// entries carry an ifindex that the neighbor collector names from the links source.

import type { NeighbourCount } from '../model/records/neighbours.js';
import { netlinkHeaderRanges } from '../parsers/binary-counters.js';
import { parseIpNeighJson } from '../parsers/ip-neigh-json.js';
import { parseRtnetlinkNeighbours, rtnetlinkNeighbourVolatileRanges } from '../parsers/netlink/rtnetlink-neighbours.js';
import { getNeighbourDumpRequest, NETLINK_ROUTE } from './netlink-requests.js';
import { defineSource, type BinaryLayout } from './source.js';

/**
 * A dump equal outside its entries' cache ages, probe counts and message headers has the same
 * entries in the same states: its counts stay (they are gauges, so nothing is read from it on a refill).
 */
const NEIGHBOUR_DUMP_LAYOUT: BinaryLayout<unknown> = {
  kind: 'binary',
  volatileRanges: (data) => [...rtnetlinkNeighbourVolatileRanges(data), ...netlinkHeaderRanges(data)],
  readCounter: () => {
    throw new Error('a neighbour dump holds no counter');
  },
};

export const neighboursSource = defineSource<readonly NeighbourCount[]>({
  name: 'neighbours',
  exec: {
    read: { kind: 'tool', argv: ['ip', '-j', 'neigh', 'show', 'nud', 'all'] },
    parse: (data) => parseIpNeighJson(data.toString('utf8')),
  },
  native: {
    read: { kind: 'netlink', protocol: NETLINK_ROUTE, messages: getNeighbourDumpRequest() },
    parse: parseRtnetlinkNeighbours,
    layout: NEIGHBOUR_DUMP_LAYOUT,
  },
});
