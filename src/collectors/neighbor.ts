// ARP and NDP entries of each namespace counted per device, family and state: failed and incomplete
// entries are VMs a router cannot reach. Counted, never one series per entry (a network node holds
// thousands of neighbours).

import { family } from '../model/snapshot.js';
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
  sources: () => [neighboursSource],
  collect({ ns, options, intern }, input, out) {
    for (const { device, family: addressFamily, state, count } of input(neighboursSource) ?? []) {
      if (!options.deviceFilter(device)) continue;
      out.gauge(entriesFamily, [ns.name, device, addressFamily, intern(state)], count);
    }
  },
});
