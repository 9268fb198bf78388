// The model of one scrape: every namespace found, and for each enabled collector either its series
// or the reason it has none. Immutable once built; exposition only reads it.

import type { NetnsRef } from './netns-ref.js';
import type { ReaderError } from './reader-error.js';

/** A metric family as the exposition writes it: name, HELP, TYPE and the label names in order. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  /** untyped: as node_exporter exports netstat's fields (counters and settings alike). */
  readonly type: 'counter' | 'gauge' | 'untyped';
  readonly labelNames: readonly string[];
}

/** Declares a metric family; every family name in the exporter is written once, in a collector or in exposition. */
export function family(name: string, type: MetricFamily['type'], help: string, labelNames: readonly string[]): MetricFamily {
  return Object.freeze({ name, type, help, labelNames: Object.freeze([...labelNames]) });
}

/** One row of label values per series; each row follows `family.labelNames` one for one. */
export type LabelRows = readonly (readonly string[])[];

/**
 * Series of one family from one namespace: `values[i]` is the value of the series labelled
 * `labels[i]`. The pipeline hands out the very same `labels` array, scrape after scrape, while the
 * rows in it stay the same (pipeline/series-templates.ts), and exposition keeps what it rendered for
 * an array as long as the array lives: so an unchanged namespace costs a scrape its values only.
 */
export interface FamilySeries {
  readonly family: MetricFamily;
  readonly labels: LabelRows;
  readonly values: ArrayLike<number>;
}

/**
 * One series of each of several families, all with the same label names and one row of values
 * (`labels` holds that one row): `values[k]` is the value of `families[k]`. What a namespace has of
 * families of one series each (its netstat fields, its socket counts): one group for all of them
 * instead of a group, a values array and a label lookup per family and namespace.
 */
export interface RowSeries {
  readonly families: readonly MetricFamily[];
  readonly labels: LabelRows;
  readonly values: ArrayLike<number>;
}

export type SeriesGroup = FamilySeries | RowSeries;

/** Each series of a group as (family, label values, value), in order. */
export function forEachSeries(group: SeriesGroup, visit: (family: MetricFamily, labels: readonly string[], value: number) => void): void {
  if ('families' in group) {
    const row = group.labels[0] ?? [];
    group.families.forEach((family, k) => visit(family, row, group.values[k] ?? 0));
    return;
  }
  group.labels.forEach((row, i) => visit(group.family, row, group.values[i] ?? 0));
}

export interface CollectorResult {
  /** Series this collector produced for the namespace (partial data stays even when `failures` is not empty). */
  readonly series: readonly SeriesGroup[];
  /** What went wrong; empty when the collector fully succeeded. `not-present` never appears here. */
  readonly failures: readonly ReaderError[];
  /** Seconds spent reading and parsing this collector's inputs for this namespace. */
  readonly seconds: number;
}

export interface NamespaceSnapshot {
  readonly ns: NetnsRef;
  readonly results: ReadonlyMap<string, CollectorResult>;
}

export interface Snapshot {
  readonly namespaces: readonly NamespaceSnapshot[];
  /** Collectors that were enabled, in registry order (every namespace has a result for each). */
  readonly collectors: readonly string[];
  /** Wall-clock seconds from the start of discovery to the last namespace read. */
  readonly durationSeconds: number;
  /** Seconds discovery took. */
  readonly discoverySeconds: number;
  /** Problems found while discovering (an unreadable netns directory); the scrape still answers. */
  readonly discoveryErrors: readonly string[];
  /** Namespaces listed by discovery that were gone by the time they were read. */
  readonly vanishedNamespaces: number;
  /** Series dropped because the snapshot reached --collector.max-series (0 when nothing was cut). */
  readonly droppedSeries: number;
  /** The scrape timeout the client that started this collection sent, if it sent one. */
  readonly timeoutSeconds?: number;
}
