// ARP and NDP entries of each namespace counted per device, family and state: failed and incomplete
// entries are VMs a router cannot reach. Counted, never one series per entry (a network node holds
// thousands of neighbours).

import { family } from '../model/snapshot.js';
import { namedNeighbourCounts } from '../parsers/neighbour-counts.js';
import { linksSource } from '../sources/links.js';
import { neighboursSource } from '../sources/neighbours.js';
import { defineCollector } from './collector.js';
import { DEVICE_FLAGS, deviceOptions } from './interfaces.js';

const entriesFamily = family(
  'netns_neighbor_entries',
  'gauge',
  'Neighbour (ARP/NDP) cache entries by device, family and NUD state (reachable, stale, delay, probe, failed, incomplete, permanent, noarp, none).',
  ['netns', 'device', 'family', 'state'],
);

export const neighborCollector = defineCollector({
  name: 'neighbor',
  description: 'ARP/NDP entries counted per device, family and state',
  defaultEnabled: true,
  flags: DEVICE_FLAGS,
  options: deviceOptions,
  families: [entriesFamily],
  // links names the devices of a neighbour dump (the native input; `ip neigh` names them itself)
  sources: () => [neighboursSource, linksSource],
  collect({ ns, options, intern }, input, out) {
    const counts = input(neighboursSource);
    if (counts === undefined) return;
    const links = input(linksSource)?.links;
    // without the links, entries known only by ifindex cannot be named: that input's failure is reported
    const named = counts.some((count) => typeof count.device === 'number') ? namedNeighbourCounts(counts, links ?? []) : counts;
    for (const { device, family: addressFamily, state, count } of named) {
      if (typeof device === 'number' || !options.deviceFilter(device)) continue;
      out.gauge(entriesFamily, [ns.name, device, addressFamily, intern(state)], count);
    }
  },
});
