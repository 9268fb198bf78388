// One namespace as one snapshot saw it, copied out of the snapshot: series by family and label
// values, and what failed. Copied because the pipeline hands the next scrape the same label arrays
// and may refill value arrays; two readings a few seconds apart are what rates are made from.

import type { NetnsRef } from '../model/netns-ref.js';
import { forEachSeries, type NamespaceSnapshot } from '../model/snapshot.js';

/** One series: its labels by name, and its value. */
export interface SeriesValue {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface CollectorFailure {
  readonly collector: string;
  readonly kind: string;
  readonly detail: string;
}

export interface NamespaceReading {
  readonly ns: NetnsRef;
  /** performance.now() when the collection that read it started. */
  readonly at: number;
  /** Series by family name, in the order the collectors wrote them. */
  readonly families: ReadonlyMap<string, readonly SeriesValue[]>;
  readonly failures: readonly CollectorFailure[];
  /** Collectors that ran (every enabled one). */
  readonly collectors: readonly string[];
}

/** `only`: the families to copy (all when not given); `top` copies the few it sums, of every namespace. */
export function readingOf(snapshot: NamespaceSnapshot, at: number, only?: ReadonlySet<string>): NamespaceReading {
  const families = new Map<string, SeriesValue[]>();
  const failures: CollectorFailure[] = [];
  for (const [collector, result] of snapshot.results) {
    for (const failure of result.failures) failures.push({ collector, kind: failure.kind, detail: failure.detail });
    for (const group of result.series) {
      forEachSeries(group, (family, row, value) => {
        if (only !== undefined && !only.has(family.name)) return;
        let list = families.get(family.name);
        if (list === undefined) {
          list = [];
          families.set(family.name, list);
        }
        const labels: Record<string, string> = {};
        family.labelNames.forEach((label, j) => (labels[label] = row[j] ?? ''));
        list.push({ labels, value: Number(value) });
      });
    }
  }
  return { ns: snapshot.ns, at, families, failures, collectors: [...snapshot.results.keys()] };
}

/** The series of `family`, none when the family has none. */
export function seriesOf(reading: NamespaceReading, family: string): readonly SeriesValue[] {
  return reading.families.get(family) ?? [];
}

/** One series of `family` whose labels include every pair of `match`, or undefined. */
export function findSeries(reading: NamespaceReading, family: string, match: Readonly<Record<string, string>>): SeriesValue | undefined {
  return seriesOf(reading, family).find((series) => Object.entries(match).every(([label, value]) => series.labels[label] === value));
}

/**
 * How much a counter went up between two readings: a counter that went down was reset (the device or
 * namespace was re-created) and counts from zero, as Prometheus' rate() has it; a counter that is
 * new in the second reading counts nothing (its start is unknown).
 */
export function increaseOf(before: number | undefined, after: number | undefined): number {
  if (before === undefined || after === undefined) return 0;
  return after >= before ? after - before : after;
}

/** Label values joined, as a key for pairing the two readings' series. */
export function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.values(labels).join('\u0000');
}

/** `family`'s series of the second reading with how much each went up since the first. */
export function increases(
  before: NamespaceReading,
  after: NamespaceReading,
  family: string,
): { readonly labels: Readonly<Record<string, string>>; readonly value: number; readonly increase: number }[] {
  const earlier = new Map(seriesOf(before, family).map((series) => [seriesKey(series.labels), series.value]));
  return seriesOf(after, family).map((series) => ({
    labels: series.labels,
    value: series.value,
    increase: increaseOf(earlier.get(seriesKey(series.labels)), series.value),
  }));
}
