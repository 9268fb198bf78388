// The neighbour cache as counts: what `ip -j neigh` (parsers/ip-neigh-json.ts) and an RTM_GETNEIGH dump
// (parsers/netlink/rtnetlink-neighbours.ts, by ifindex) both produce (parsers/neighbour-counts.ts counts them).

/** Neighbour entries of one device, family and state. */
export interface NeighbourCount {
  /**
   * The device: its name, or its ifindex where the input gives only that (an RTM_GETNEIGH dump; the
   * neighbor collector names it from the links source with namedNeighbourCounts()).
   */
  readonly device: string | number;
  readonly family: 'ipv4' | 'ipv6';
  /**
   * The kernel's NUD state name in lowercase: incomplete, reachable, stale, delay, probe, failed,
   * noarp, permanent, or 'none' (NUD_NONE). An entry is in one state; should one ever carry several
   * NUD bits, they are joined with ',' in bit order, as `ip neigh` prints them (REACHABLE,PERMANENT).
   */
  readonly state: string;
  readonly count: number;
}
