// The neighbour (ARP and NDP) cache, counted per device, family and state. exec: `ip -j neigh show
// nud all` (without `nud all` ip hides NOARP and NUD_NONE entries); native: a link dump and a
// neighbour dump on one rtnetlink socket, so the parser can name the devices of the entries.

import type { NeighbourCount } from '../model/records/neighbours.js';
import { parseIpNeighJson } from '../parsers/ip-neigh-json.js';
import { parseRtnetlinkNeighbours } from '../parsers/netlink/rtnetlink-neighbours.js';
import { getNeighbourDumpRequests, NETLINK_ROUTE } from './netlink-requests.js';
import { defineSource } from './source.js';

export const neighboursSource = defineSource<readonly NeighbourCount[]>({
  name: 'neighbours',
  exec: {
    read: { kind: 'tool', argv: ['ip', '-j', 'neigh', 'show', 'nud', 'all'] },
    parse: (data) => parseIpNeighJson(data.toString('utf8')),
  },
  native: {
    read: { kind: 'netlink', protocol: NETLINK_ROUTE, messages: getNeighbourDumpRequests() },
    parse: parseRtnetlinkNeighbours,
  },
});
