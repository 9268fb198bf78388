// Series as one text line each (`family{label values} value`), for comparing two collections of the
// same readings line by line.

import { forEachSeries, type SeriesGroup } from '../../src/model/snapshot.js';

export function seriesLines(series: readonly SeriesGroup[]): string[] {
  const lines: string[] = [];
  for (const group of series) forEachSeries(group, (family, labels, value) => lines.push(`${family.name}{${labels.join(',')}} ${value}`));
  return lines;
}
