// What tests ask of a link dump, through the parsers production uses (sources/links.ts and
// sources/net-dev.ts): the links alone, the /proc/net/dev rows alone, or both with their offsets.

import type { LinkRecord } from '../../src/model/records/links.js';
import type { NetDevRecord } from '../../src/model/records/net-dev.js';
import { parseRtnetlinkCounters, parseRtnetlinkLinkTable } from '../../src/parsers/netlink/rtnetlink-links.js';
import { parsed, type ParseResult } from '../../src/parsers/parse-result.js';

/** The links of an RTM_GETLINK dump, in dump order. */
export function rtnetlinkLinks(data: Buffer): ParseResult<LinkRecord[]> {
  const table = parseRtnetlinkLinkTable(data);
  return table.ok ? parsed(table.value.links) : table;
}

/** The /proc/net/dev row of every link, from the dump's IFLA_STATS64. */
export function rtnetlinkNetDev(data: Buffer): ParseResult<NetDevRecord[]> {
  const counters = parseRtnetlinkCounters(data);
  return counters.ok ? parsed(counters.value.counters) : counters;
}

/** Links, counters rows and where each was read, as the links and net-dev sources parse them. */
export function rtnetlinkInterfaces(
  data: Buffer,
): ParseResult<{ links: LinkRecord[]; carrierChangesAt: number[]; counters: NetDevRecord[]; countersAt: number[] }> {
  const table = parseRtnetlinkLinkTable(data);
  if (!table.ok) return table;
  const counters = parseRtnetlinkCounters(data);
  if (!counters.ok) return counters;
  const { links, carrierChangesAt } = table.value;
  return parsed({ links, carrierChangesAt, counters: counters.value.counters, countersAt: counters.value.countersAt });
}
