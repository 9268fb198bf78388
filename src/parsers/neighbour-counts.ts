// The neighbour (ARP and NDP) cache of a namespace as counts per device, family and state: what both
// backends produce, from `ip -j neigh show nud all` (ip-neigh-json.ts) or an RTM_GETNEIGH dump
// (netlink/rtnetlink-neighbours.ts).
//
// Everything the neighbour tables hold is counted, as the kernel counts it against gc_thresh1-3
// (tbl->entries), so the counts of a family add up to what "neighbour table overflow" is about:
// - NUD_NONE entries (made by a lookup and not resolved yet, or `nud none`): state 'none'. `ip neigh`
//   hides them unless asked for `nud all`, and prints them without a "state".
// - Multicast and broadcast entries (ff02::1:ff00:2, 224.0.0.22) and those of loopback and
//   point-to-point devices: the kernel makes them NUD_NOARP (arp_constructor, ndisc_constructor):
//   state 'noarp'. `ip neigh` without `nud all` hides NOARP entries.
// - Proxy entries (`ip neigh add proxy`) are not: they live in a separate table (pneigh), no dump
//   without NTF_PROXY in the request returns them, and they are configuration, not cache.

import type { NeighbourCount } from '../model/records/neighbours.js';

/** NUD_* bits in bit order (include/uapi/linux/neighbour.h), as iproute2 prints them. */
export const NUD_STATES: readonly (readonly [number, string])[] = [
  [0x01, 'incomplete'],
  [0x02, 'reachable'],
  [0x04, 'stale'],
  [0x08, 'delay'],
  [0x10, 'probe'],
  [0x20, 'failed'],
  [0x40, 'noarp'],
  [0x80, 'permanent'],
];

/** The state label of an ndm_state; bits no name covers are appended as hex (0x100). */
export function nudStateName(state: number): string {
  if (state === 0) return 'none';
  const names: string[] = [];
  let rest = state;
  for (const [bit, name] of NUD_STATES) {
    if ((rest & bit) !== 0) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.join(',');
}

/** Counts entries by (device, family, state); the result is sorted by device, family, then state. */
export class NeighbourCounter {
  private readonly counts = new Map<string, { device: string | number; family: 'ipv4' | 'ipv6'; state: string; count: number }>();

  add(device: string | number, family: 'ipv4' | 'ipv6', state: string): void {
    const key = JSON.stringify([device, family, state]);
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { device, family, state, count: 1 });
  }

  result(): NeighbourCount[] {
    return sortCounts([...this.counts.values()]);
  }
}

/**
 * Counts by ifindex (an RTM_GETNEIGH dump's) with their devices named from a link table, in the order
 * `ip -j neigh` counts come in. An entry on an ifindex the table lacks is left out: the device was
 * made between the link read and the neighbour read (a deleted one takes its entries with it), and a
 * guessed name would be wrong; it is counted from the next scrape on.
 */
export function namedNeighbourCounts(
  counts: readonly NeighbourCount[],
  links: readonly { readonly ifindex: number; readonly device: string }[],
): NeighbourCount[] {
  const names = new Map<number, string>();
  for (const link of links) names.set(link.ifindex, link.device);
  const named: NeighbourCount[] = [];
  for (const count of counts) {
    const device = typeof count.device === 'number' ? names.get(count.device) : count.device;
    if (device !== undefined) named.push(device === count.device ? count : { ...count, device });
  }
  return sortCounts(named);
}

function sortCounts<T extends NeighbourCount>(counts: T[]): T[] {
  const order = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
  return counts.sort((a, b) => order(a.device, b.device) || order(a.family, b.family) || order(a.state, b.state));
}
