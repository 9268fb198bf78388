// Socket counts of each namespace, named as node_exporter's sockstat collector names them
// (node_sockstat_<Proto>_<field>): /proc/net/sockstat and sockstat6. Sockets in use are per
// namespace; TCP orphan, alloc and the mem values are the kernel's global counters (see the parser).

import type { MetricFamily } from '../model/snapshot.js';
import { family } from '../model/snapshot.js';
import { sockstat6Source, sockstatSource } from '../sources/sockstat.js';
import type { Collector } from './collector.js';

/** What current kernels print, in their order; mem_bytes follows each mem (pages x page size). */
const KNOWN_FIELDS = [
  'sockets_used',
  'TCP_inuse',
  'TCP_orphan',
  'TCP_tw',
  'TCP_alloc',
  'TCP_mem',
  'TCP_mem_bytes',
  'UDP_inuse',
  'UDP_mem',
  'UDP_mem_bytes',
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
const helpOf = (name: string): string =>
  name.endsWith('_mem_bytes')
    ? `Statistic ${name.slice(0, -'_bytes'.length)} of /proc/net/sockstat in bytes (pages x page size).`
    : `Statistic ${name} of /proc/net/sockstat{,6} inside the namespace.`;
const familyName = (name: string): string => `netns_sockstat_${name}`;
const declaredFamilies: readonly MetricFamily[] = KNOWN_FIELDS.map((name) => family(familyName(name), 'gauge', helpOf(name), LABELS));

export const sockstatCollector: Collector = {
  name: 'sockstat',
  description: 'sockets in use per protocol (/proc/net/sockstat, sockstat6)',
  defaultEnabled: true,
  families: declaredFamilies,
  sources: () => [sockstatSource, sockstat6Source],
  collect({ ns, options, family: familyNamed }, input, out) {
    const labels = [ns.name];
    const emit = (name: string, value: number): void => out.gauge(familyNamed(familyName(name), 'gauge', helpOf(name), LABELS), labels, value);
    for (const source of [sockstatSource, sockstat6Source]) {
      for (const { proto, field, value } of input(source) ?? []) {
        emit(`${proto}_${field}`, value);
        if (field === 'mem') emit(`${proto}_mem_bytes`, value * options.pageSize);
      }
    }
  },
};
