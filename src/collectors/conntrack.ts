// Connection tracking table use against its limit, per namespace. Each namespace has its own table
// and its own count; when nf_conntrack is not loaded the files are absent, which is not an error.

import { family } from '../model/snapshot.js';
import { conntrackCountSource, conntrackMaxSource } from '../sources/conntrack.js';
import { defineCollector } from './collector.js';

const entriesFamily = family(
  'netns_nf_conntrack_entries',
  'gauge',
  'Number of currently allocated flow entries for connection tracking (nf_conntrack_count).',
  ['netns'],
);
const limitFamily = family(
  'netns_nf_conntrack_entries_limit',
  'gauge',
  'Maximum size of the connection tracking table (nf_conntrack_max).',
  ['netns'],
);

export const conntrackCollector = defineCollector({
  name: 'conntrack',
  description: 'nf_conntrack entries and limit',
  defaultEnabled: true,
  options: () => undefined,
  families: [entriesFamily, limitFamily],
  sources: () => [conntrackCountSource, conntrackMaxSource],
  collect({ ns }, input, out) {
    const labels = [ns.name];
    const entries = input(conntrackCountSource);
    if (entries !== undefined) out.gauge(entriesFamily, labels, entries);
    const limit = input(conntrackMaxSource);
    if (limit !== undefined) out.gauge(limitFamily, labels, limit);
  },
});
