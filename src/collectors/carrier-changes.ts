// How often each interface's carrier went up or down (IFLA_CARRIER_CHANGES), the way node_exporter
// exports node_network_carrier_changes_total: what a flapping alert needs, since OVS internal ports
// report operstate unknown and a veth's up/down alone misses a flap between two scrapes.

import { family } from '../model/snapshot.js';
import { CARRIER_CHANGES_KIND } from '../sources/link-dump.js';
import { linksSource } from '../sources/links.js';
import { defineCollector } from './collector.js';
import { DEVICE_FLAGS, deviceOptions } from './interfaces.js';

const carrierChangesFamily = family(
  'netns_network_carrier_changes_total',
  'counter',
  'Number of times the carrier of a network device changed (up or down).',
  ['netns', 'device'],
);

export const carrierChangesCollector = defineCollector({
  name: 'carrier_changes',
  description: 'carrier changes per interface (link flaps)',
  defaultEnabled: true,
  flags: DEVICE_FLAGS,
  options: deviceOptions,
  families: [carrierChangesFamily],
  sources: () => [linksSource],
  collect({ ns, options }, input, out) {
    const links = input(linksSource);
    if (links === undefined) return;
    links.links.forEach((link, i) => {
      if (link.carrierChanges === undefined || !options.deviceFilter(link.device)) return;
      out.counter(
        carrierChangesFamily,
        [ns.name, link.device],
        link.carrierChanges,
        linksSource,
        links.carrierChangesAt?.[i],
        CARRIER_CHANGES_KIND,
      );
    });
  },
});
