// What a collector is: a name, the raw inputs it needs read inside each namespace, the metric
// families it fills, and a pure function from those readings to samples. Collectors never enter a
// namespace and never do I/O; the reader fetches, the collector turns bytes into samples.

import type { NetnsRef } from '../discovery/netns-ref.js';
import type { ReaderError, ReadRequest, Readings } from '../readers/reader.js';
import type { MetricFamily, Sample } from '../snapshot/model.js';

/** Options that shape what collectors emit; validated once at start-up. */
export interface CollectorOptions {
  /** True when an interface of this name should be reported (from --device.include/--device.exclude). */
  readonly deviceFilter: (device: string) => boolean;
  /** Per-rule iptables series (--[no-]collector.iptables.rules); chains and policies are always reported. */
  readonly iptablesRules: boolean;
}

export interface CollectorOutput {
  readonly samples: Sample[];
  /** Real failures only: `not-present` readings are expected absence and never land here. */
  readonly failures: ReaderError[];
}

export interface Collector {
  /** Also the flag name: --[no-]collector.<name>, and the `collector` label value. */
  readonly name: string;
  readonly description: string;
  readonly defaultEnabled: boolean;
  readonly families: readonly MetricFamily[];
  requests(options: CollectorOptions): readonly ReadRequest[];
  collect(ns: NetnsRef, readings: Readings, options: CollectorOptions): CollectorOutput;
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
