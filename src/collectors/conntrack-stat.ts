// Connection tracking statistics of each namespace, summed over CPUs (/proc/net/stat/nf_conntrack),
// as node_exporter's node_nf_conntrack_stat_*: what tells "the table is full and dropping"
// (insert_failed, drop, early_drop) from "the table is busy" (found, insert).

import { family, type MetricFamily } from '../model/snapshot.js';
import { conntrackStatSource } from '../sources/conntrack.js';
import { defineCollector } from './collector.js';

const STATISTICS: readonly (readonly [column: string, help: string])[] = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed (a full table, or a clash).'],
  ['drop', 'Number of packets dropped due to conntrack failure (a new entry could not be made).'],
  ['early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'],
  ['search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'],
];

const families: readonly (readonly [column: string, family: MetricFamily])[] = STATISTICS.map(([column, help]) => [
  column,
  family(`netns_nf_conntrack_stat_${column}_total`, 'counter', help, ['netns']),
]);

export const conntrackStatCollector = defineCollector({
  name: 'conntrack_stat',
  description: 'nf_conntrack statistics summed over CPUs (found, insert_failed, drop, early_drop, ...)',
  defaultEnabled: true,
  options: () => undefined,
  families: families.map(([, f]) => f),
  sources: () => [conntrackStatSource],
  collect({ ns }, input, out) {
    const stat = input(conntrackStatSource);
    if (stat === undefined) return;
    const labels = [ns.name];
    const { columnsAt } = stat;
    for (const [column, f] of families) {
      const value = stat.totals.get(column);
      // a column this kernel does not print (search_restart before 2.6.35) has no series, not a zero
      if (value === undefined) continue;
      // summed over the CPU rows at its place in the file: an unchanged file is refilled without this collector
      out.counter(f, labels, value, conntrackStatSource, columnsAt?.at.get(column), columnsAt?.rowLength);
    }
  },
});
