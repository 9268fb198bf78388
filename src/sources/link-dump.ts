// The RTM_GETLINK dump the native backend answers both interface sources with (net-dev, links):
// its IFLA_STATS64 holds every /proc/net/dev counter (the same dev_get_stats() call), so
// /proc/net/dev need not be read as well. One object, so that the read is made once for both.

import { endianness } from 'node:os';
import { netlinkHeaderRanges } from '../parsers/binary-counters.js';
import { netDevColumnAt, rtnetlinkVolatileRanges } from '../parsers/netlink/rtnetlink-links.js';
import { getLinkDumpRequest, NETLINK_ROUTE } from './netlink-requests.js';
import type { BinaryLayout, NativeRead } from './source.js';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Counter kind of IFLA_CARRIER_CHANGES (a host-order u32); kinds 0-15 are /proc/net/dev's columns. */
export const CARRIER_CHANGES_KIND = 16;

export const LINK_DUMP: NativeRead = { kind: 'netlink', protocol: NETLINK_ROUTE, messages: getLinkDumpRequest() };

/**
 * A dump equal outside its counters, carrier counts, IPv6 statistics and message headers has the same
 * links, names, MTUs, addresses and operstates. Counter kinds 0-15 are /proc/net/dev's columns read
 * from the IFLA_STATS64 at `at` (some columns are sums of several kernel counters), kind 16 a carrier
 * change count.
 */
export const LINK_DUMP_LAYOUT: BinaryLayout<unknown> = {
  kind: 'binary',
  volatileRanges: (data) => [...rtnetlinkVolatileRanges(data), ...netlinkHeaderRanges(data)],
  readCounter: (view, at, kind) =>
    kind === CARRIER_CHANGES_KIND ? view.getUint32(at, LITTLE_ENDIAN_HOST) : netDevColumnAt(view, at, kind),
};
