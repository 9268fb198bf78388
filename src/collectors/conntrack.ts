// Connection tracking table use against its limit, per namespace. Each namespace has its own table
// and its own count; when nf_conntrack is not loaded the files are absent, which is not an error.

import { parseNfConntrackEntries } from '../parsers/nf-conntrack-stat.js';
import { parseProcInteger } from '../parsers/proc-integer.js';
import type { ReaderError, ReadRequest } from '../readers/reader.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../snapshot/model.js';
import { family, type Collector } from './collector.js';
import { sameOrNewRows } from './label-rows.js';
import { parseFailureError, readingText } from './reading.js';

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

const SOURCES: readonly { request: ReadRequest; family: MetricFamily }[] = [
  { request: 'conntrack-count', family: entriesFamily },
  { request: 'conntrack-max', family: limitFamily },
];

export const conntrackCollector: Collector = {
  name: 'conntrack',
  description: 'nf_conntrack entries and limit',
  defaultEnabled: true,
  families: [entriesFamily, limitFamily],
  requests: () => SOURCES.map((source) => source.request),
  collect(ns, readings, _options, memo) {
    const series: SeriesGroup[] = [];
    const failures: ReaderError[] = [];
    const labels = sameOrNewRows(memo as LabelRows | undefined, [[ns.name]]);
    for (const source of SOURCES) {
      const reading = readings.get(source.request);
      const text = readingText(reading, source.request);
      if (!text.ok) {
        if (text.error.kind !== 'not-present') failures.push(text.error);
        continue;
      }
      // exec reads the sysctls (one integer); native reads the count from the conntrack statistics
      const value = reading?.ok && reading.format === 'nf-conntrack-stat' ? parseNfConntrackEntries(text.value) : parseProcInteger(text.value);
      if (value.ok) series.push({ family: source.family, labels, values: [value.value] });
      else failures.push(parseFailureError(source.request, value.error.detail));
    }
    return { series, failures, memo: labels };
  },
};
