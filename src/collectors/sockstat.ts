// Socket counts of each namespace, named as node_exporter's sockstat collector names them
// (node_sockstat_<Proto>_<field>): /proc/net/sockstat and sockstat6. Only what the namespace has of
// its own: TCP orphan and alloc and the mem values are the kernel's global counters, the same in
// every namespace (see the parser), so a thousand routers would carry a thousand copies of one
// number that node_exporter already exports for the host.

import type { MetricFamily } from '../model/snapshot.js';
import { family } from '../model/snapshot.js';
import { sockstat6Source, sockstatSource } from '../sources/sockstat.js';
import { defineCollector } from './collector.js';

/** The per-namespace fields current kernels print, in their order. */
const KNOWN_FIELDS = [
  'sockets_used',
  'TCP_inuse',
  'TCP_tw',
  'UDP_inuse',
  'UDPLITE_inuse',
  'RAW_inuse',
  'FRAG_inuse',
  'FRAG_memory',
  'TCP6_inuse',
  'UDP6_inuse',
  'UDPLITE6_inuse',
  'RAW6_inuse',
  'FRAG6_inuse',
  'FRAG6_memory',
];

const LABELS = ['netns'] as const;
const helpOf = (name: string): string => `Statistic ${name} of /proc/net/sockstat{,6} inside the namespace.`;
/** Kernel-wide, not the namespace's (net/ipv4/proc.c sockstat_seq_show). */
const GLOBAL_FIELDS = new Set(['orphan', 'alloc', 'mem']);
const familyName = (name: string): string => `netns_sockstat_${name}`;
const declaredFamilies: readonly MetricFamily[] = KNOWN_FIELDS.map((name) => family(familyName(name), 'gauge', helpOf(name), LABELS));

export const sockstatCollector = defineCollector({
  name: 'sockstat',
  description: 'sockets in use per protocol (/proc/net/sockstat, sockstat6)',
  defaultEnabled: true,
  options: () => undefined,
  families: declaredFamilies,
  sources: () => [sockstatSource, sockstat6Source],
  collect({ ns, family: familyNamed }, input, out) {
    const labels = [ns.name];
    for (const source of [sockstatSource, sockstat6Source]) {
      for (const { proto, field, value, at } of input(source) ?? []) {
        if (GLOBAL_FIELDS.has(field)) continue;
        const name = `${proto}_${field}`;
        // at its place in the text: an unchanged file is refilled without this collector
        out.counter(familyNamed(familyName(name), 'gauge', helpOf(name), LABELS), labels, value, source, at);
      }
    }
  },
});
