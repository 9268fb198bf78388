// What a collector is: a name, the raw inputs it needs read inside each namespace, the metric
// families it fills, and a pure function from those readings to series. Collectors never enter a
// namespace and never do I/O; the reader fetches, the collector turns bytes into series.

import type { NetnsRef } from '../discovery/netns-ref.js';
import type { ReaderError, ReadRequest, Readings } from '../readers/reader.js';
import type { MetricFamily, SeriesGroup } from '../snapshot/model.js';

/** Options that shape what collectors emit; validated once at start-up. */
export interface CollectorOptions {
  /** True when an interface of this name should be reported (from --device.include/--device.exclude). */
  readonly deviceFilter: (device: string) => boolean;
  /** Per-rule iptables series (--[no-]collector.iptables.rules); chains and policies are always reported. */
  readonly iptablesRules: boolean;
}

export interface CollectorOutput {
  readonly series: SeriesGroup[];
  /** Real failures only: `not-present` readings are expected absence and never land here. */
  readonly failures: ReaderError[];
  /**
   * Whatever the collector wants handed back on its next run over the same namespace (as `memo`):
   * what it parsed and the label rows it built, so that an unchanged namespace is not parsed and
   * labelled again. Only a cache: the output must be the same with or without it.
   */
  readonly memo?: unknown;
}

export interface Collector {
  /** Also the flag name: --[no-]collector.<name>, and the `collector` label value. */
  readonly name: string;
  readonly description: string;
  readonly defaultEnabled: boolean;
  readonly families: readonly MetricFamily[];
  requests(options: CollectorOptions): readonly ReadRequest[];
  /**
   * `memo` is what this collector returned as `memo` for the same namespace last scrape, if anything.
   * Nothing returned may hold a view of the readings' bytes: a reader may lend them out of a larger
   * block (the native reader's batches), and one view would keep the whole block; what is kept is copied.
   */
  collect(ns: NetnsRef, readings: Readings, options: CollectorOptions, memo?: unknown): CollectorOutput;
}

/** Declares a metric family; every family name in the exporter is written once, here or in exposition. */
export function family(
  name: string,
  type: MetricFamily['type'],
  help: string,
  labelNames: readonly string[],
): MetricFamily {
  return Object.freeze({ name, type, help, labelNames: Object.freeze([...labelNames]) });
}
