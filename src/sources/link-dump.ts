// The RTM_GETLINK dump the native backend answers both interface sources with (net-dev, links):
// its IFLA_STATS64 holds every /proc/net/dev counter (the same dev_get_stats() call), so
// /proc/net/dev need not be read as well. One object, so that the read is made once for both.

import { netlinkHeaderRanges } from '../parsers/binary-counters.js';
import { netDevColumnAt, rtnetlinkVolatileRanges } from '../parsers/netlink/rtnetlink-links.js';
import { getLinkDumpRequest, NETLINK_ROUTE } from './netlink-requests.js';
import type { NativeRead, ReadingLayout } from './source.js';

export const LINK_DUMP: NativeRead = { kind: 'netlink', protocol: NETLINK_ROUTE, messages: getLinkDumpRequest() };

/**
 * A dump equal outside its counters, carrier counts, IPv6 statistics and message headers has the same
 * links, names, MTUs, addresses and operstates. Counter kinds 0-15 are /proc/net/dev's columns read
 * from the IFLA_STATS64 at `at` (some columns are sums of several kernel counters).
 */
export const LINK_DUMP_LAYOUT: ReadingLayout<unknown> = {
  volatileRanges: (data) => [...rtnetlinkVolatileRanges(data), ...netlinkHeaderRanges(data)],
  readCounter: netDevColumnAt,
};
