// Series as one text line each (`family{label values} value`), for comparing two collections of the
// same readings line by line.

import type { SeriesGroup } from '../../src/model/snapshot.js';

export function seriesLines(series: readonly SeriesGroup[]): string[] {
  return series.flatMap((group) => group.labels.map((labels, i) => `${group.family.name}{${labels.join(',')}} ${group.values[i]}`));
}
