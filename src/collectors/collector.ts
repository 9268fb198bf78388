// What a collector is. Its file declares everything about it, as node_exporter's registerCollector
// with the flags beside it: a name, its own flags and how their values become its options, the
// sources it needs read inside each namespace, the metric families it fills, and a function from
// those sources' parsed records to series. Collectors never enter a namespace, never do I/O and
// never see bytes: the reader fetches, the source's parser parses, and the pipeline decides once for
// all collectors what a missing, absent or broken input means.

import type { FlagValues } from '../model/config.js';
import type { NetnsRef } from '../model/netns-ref.js';
import type { MetricFamily } from '../model/snapshot.js';
import type { AnySource, NamespaceSource, Source } from '../sources/source.js';
import { flagValue, type CollectorFlag, type SwitchFlag, type ValueFlag } from './flag.js';

/** What a collector runs with in one namespace; its own options are added by defineCollector. */
export interface CollectContext {
  readonly ns: NetnsRef;
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
  /**
   * What this collector carried over from its last run in this namespace (carry), undefined the
   * first time: history a collector keeps itself (the HA role it last saw, the changes it counted).
   * The exporter's namespace cache holds it and drops it with the namespace. It is what the
   * collector carried, of whatever type: check it (instanceof) before use.
   */
  readonly carried: unknown;
  /** Carries `value` to this collector's next run in this namespace; without a call, `carried` carries on. */
  carry(value: unknown): void;
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

/** What a collector's options() reads its flags with: the value of one of its declared flags. */
export interface FlagReader {
  (flag: SwitchFlag): boolean;
  <T>(flag: ValueFlag<T>): T;
}

/**
 * A source read once at start in the exporter's own namespace (its exec file declaration), parsed;
 * undefined when it cannot be read or parsed there. For options that depend on what this kernel
 * prints (netstat's file selection): every namespace prints the same.
 */
export type OwnNamespaceInput = <T>(source: NamespaceSource<T>) => T | undefined;

/** What a collector file declares (defineCollector); `O` is its own options, made once at start. */
export interface CollectorDefinition<O> {
  /** Also the flag name: --[no-]collector.<name>, and the `collector` label value. */
  readonly name: string;
  /** The --collector.<name> help text. */
  readonly description: string;
  readonly defaultEnabled: boolean;
  /**
   * Its own flags, beyond --[no-]collector.<name>. A flag another collector declares (interfaces'
   * --device.include) is shared by listing the very same declaration: it is still one flag.
   */
  readonly flags?: readonly CollectorFlag[];
  /**
   * Its options, from its flags and its own namespace, once at start. It checks nothing: every check
   * belongs in a flag's parse, which parseFlags runs first, so that a bad value exits 2 with one line
   * before anything starts.
   */
  options(flag: FlagReader, own: OwnNamespaceInput): O;
  readonly families: readonly MetricFamily[];
  /**
   * What it reads in every namespace under these options. None is allowed (processes counts what
   * discovery saw, NetnsRef.processes): such a collector runs every scrape, never refilled, since no
   * reading's shape can vouch for its numbers (pipeline/collect-namespace.ts).
   */
  sources(options: O): readonly AnySource[];
  collect(context: CollectContext & { readonly options: O }, input: CollectorInput, out: SeriesOutput): void;
}

/** A collector as the registry holds it: what --help, the docs and start-up need, whatever its options. */
export interface CollectorDeclaration {
  readonly name: string;
  readonly description: string;
  readonly defaultEnabled: boolean;
  readonly flags: readonly CollectorFlag[];
  readonly families: readonly MetricFamily[];
  /** This collector with its options, as the pipeline runs it; `values` are the command line's, checked by parseFlags. */
  configure(values: FlagValues, own: OwnNamespaceInput): Collector;
}

/** An enabled collector with its options: what the pipeline plans and runs. */
export interface Collector {
  readonly name: string;
  readonly families: readonly MetricFamily[];
  /** Every source it reads in each namespace, fixed at start. */
  readonly sources: readonly AnySource[];
  collect(context: CollectContext, input: CollectorInput, out: SeriesOutput): void;
}

const COLLECTOR_NAME = /^[a-z][a-z0-9_]*$/;

/** Checks a declaration once, at start-up: a bad one is a bug, so it throws. */
export function defineCollector<O>(definition: CollectorDefinition<O>): CollectorDeclaration {
  const { name, description, defaultEnabled, families } = definition;
  if (!COLLECTOR_NAME.test(name)) throw new Error(`collector name ${JSON.stringify(name)}: lower case, digits and '_' only`);
  const flags = definition.flags ?? [];
  return Object.freeze({
    name,
    description,
    defaultEnabled,
    flags,
    families,
    configure(values: FlagValues, own: OwnNamespaceInput): Collector {
      function flag(declared: SwitchFlag): boolean;
      function flag<T>(declared: ValueFlag<T>): T;
      function flag(declared: CollectorFlag): unknown {
        if (!flags.includes(declared)) throw new Error(`collector ${name} reads --${declared.name}, which it does not declare`);
        return flagValue(declared, values);
      }
      const options = definition.options(flag, own);
      return {
        name,
        families,
        sources: definition.sources(options),
        collect: (context, input, out) =>
          definition.collect(
            { ns: context.ns, intern: context.intern, family: context.family, carried: context.carried, carry: context.carry, options },
            input,
            out,
          ),
      };
    },
  });
}
