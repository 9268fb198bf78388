// A collector's output as one text line per series (`family{label values} value`), for comparing two
// collections of the same readings line by line.

import type { CollectorOutput } from '../../src/collectors/collector.js';

export function seriesLines(output: CollectorOutput): string[] {
  return output.series.flatMap((group) => group.labels.map((labels, i) => `${group.family.name}{${labels.join(',')}} ${group.values[i]}`));
}
