// What a collector is: a name, the sources it needs read inside each namespace, the metric families
// it fills, and a function from those sources' parsed records to series. Collectors never enter a
// namespace, never do I/O and never see bytes: the reader fetches, the source's parser parses, and
// the pipeline decides once for all collectors what a missing, absent or broken input means.

import type { NetnsRef } from '../model/netns-ref.js';
import type { MetricFamily } from '../model/snapshot.js';
import type { AnySource, Source } from '../sources/source.js';

/** Options that shape what collectors emit; validated once at start-up. */
export interface CollectorOptions {
  /** True when an interface of this name should be reported (from --device.include/--device.exclude). */
  readonly deviceFilter: (device: string) => boolean;
  /** Per-rule iptables series (--[no-]collector.iptables.rules); chains and policies are always reported. */
  readonly iptablesRules: boolean;
  /** True when the rules of a chain of this name get per-rule series (--iptables.chain.include/exclude). */
  readonly iptablesRuleChains: (chain: string) => boolean;
  /** Which netstat fields (`Proto_Field`) are exported (--collector.netstat.fields). */
  readonly netstatFields: RegExp;
  /**
   * The netstat files (by source name: snmp, netstat, snmp6) that hold a selected field, from
   * selectNetstatFiles (collectors/netstat.ts) once at start; undefined: all three are read.
   */
  readonly netstatFiles?: ReadonlySet<string>;
  /** Neutron's L3 HA state directory (--neutron.ha-confs-dir); undefined: HA state not read. */
  readonly haConfsDir: string | undefined;
}

export interface CollectContext {
  readonly ns: NetnsRef;
  readonly options: CollectorOptions;
  /**
   * One string object for equal label values (the exporter's interner): a thousand routers carry the
   * same chain names, targets and comments, and the label rows kept between scrapes would otherwise
   * hold a copy per router.
   */
  intern(value: string): string;
  /**
   * The family of this name, made once per exporter: for series whose names come from what the
   * kernel prints (netstat's Proto_Field). A family the collector declared is that very object.
   */
  family(name: string, type: MetricFamily['type'], help: string, labelNames: readonly string[]): MetricFamily;
}

/**
 * The parsed records of one of the collector's sources, or undefined when there are none: the input
 * is not present in this namespace (no legacy tables, conntrack not loaded) or it failed, which the
 * pipeline has already reported. Asking for a source the collector did not declare throws.
 */
export type CollectorInput = <T>(source: Source<T>) => T | undefined;

/**
 * Where a collector puts its series. Label rows are arrays of values in the family's label order;
 * pass the same row array to every family a series shares its labels with (a rule's packets and
 * bytes): exposition then renders those labels once.
 */
export interface SeriesOutput {
  /**
   * A value that stays as it is while the source's reading keeps its shape (a count of records, an
   * MTU, a constant 1). A number the reading carries that moves on its own goes through counter():
   * a refill reads counters again, and keeps gauges.
   */
  gauge(family: MetricFamily, labels: readonly string[], value: number): void;
  /**
   * A counter: its value now, and where it sits in `source`'s reading (the offset the parser found,
   * undefined for text), so that a later reading of the same shape is refilled without parsing.
   */
  counter(family: MetricFamily, labels: readonly string[], value: number, source: AnySource, at: number | undefined, kind?: number): void;
}

export interface Collector {
  /** Also the flag name: --[no-]collector.<name>, and the `collector` label value. */
  readonly name: string;
  readonly description: string;
  readonly defaultEnabled: boolean;
  readonly families: readonly MetricFamily[];
  sources(options: CollectorOptions): readonly AnySource[];
  collect(context: CollectContext, input: CollectorInput, out: SeriesOutput): void;
}
