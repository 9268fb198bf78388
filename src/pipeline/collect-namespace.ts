// Runs the enabled collectors over one namespace's readings. Two things are decided here once, for
// every collector: what a missing, absent, failed or unparseable input means (absent: no series and
// no failure; the others: a failure for each collector that needed it, its other inputs still
// used), and "same shape, new counters": where every input a collector read last scrape is a binary
// reading equal to the kept one outside its counters, the collector is not run at all and its
// templates are refilled from the new bytes (at 1,000 routers, nearly every namespace every scrape).

import type { CollectContext, Collector, CollectorInput, CollectorOptions } from '../collectors/collector.js';
import type { NetnsRef } from '../model/netns-ref.js';
import type { ReaderError } from '../model/reader-error.js';
import type { CollectorResult, SeriesGroup } from '../model/snapshot.js';
import type { ParseResult } from '../parsers/parse-result.js';
import { viewOf } from '../parsers/binary-counters.js';
import type { Reading, Readings } from '../readers/reader.js';
import { isHostSource, type AnySource, type ReadingLayout, type Source } from '../sources/source.js';
import type { CollectorMemo, InputMemo, KeptReading, NamespaceCache, NamespaceState } from './namespace-cache.js';
import { keepShape, sameKeptShape } from './reading-shape.js';
import { fillTemplate, templateSeries, TemplateBuilder, type CounterReading, type CounterValues } from './series-templates.js';
import { keepTextShape, readTextNumbers } from './text-shape.js';

/** A collector with the sources it reads under this exporter's options. */
export interface PlannedCollector {
  readonly collector: Collector;
  readonly sources: readonly AnySource[];
  /** This collector's share of a namespace's reading time (its sources over all sources read). */
  readonly readShare: number;
}

export interface NamespaceWork {
  readonly ns: NetnsRef;
  readonly readings: Readings;
  readonly readSeconds: number;
  readonly collectors: readonly PlannedCollector[];
  readonly options: CollectorOptions;
  readonly intern: (value: string) => string;
  readonly family: CollectContext['family'];
  readonly cache: NamespaceCache;
}

type OkReading = Extract<Reading, { ok: true }>;

/**
 * What identifies a read across scrapes: sources answered by one native read (the link dump, the
 * nf_tables dumps) share its declaration, and so one kept shape; an exec read is its source's own.
 */
function readingKey(source: AnySource, reading: OkReading): object {
  return reading.backend === 'native' && !isHostSource(source) ? source.native.read : source;
}

/** The declaration that parses what this backend read. */
function declarationOf(source: AnySource, reading: OkReading): { parse(data: Buffer): ParseResult<unknown>; readonly layout?: ReadingLayout<unknown> } {
  if (isHostSource(source)) return source.host;
  return reading.backend === 'native' ? source.native : source.exec;
}

function layoutOf(source: AnySource, reading: OkReading): ReadingLayout<unknown> | undefined {
  return declarationOf(source, reading).layout;
}

export function collectNamespace(work: NamespaceWork): Map<string, CollectorResult> {
  const { ns, readings, cache } = work;
  const { last, next } = cache.open(ns);
  const shapes = new ShapesThisScrape(last, next, cache);
  const parsed = new Map<AnySource, ParseResult<unknown>>();
  const context: CollectContext = { ns, options: work.options, intern: work.intern, family: work.family };
  const results = new Map<string, CollectorResult>();

  for (const planned of work.collectors) {
    const started = performance.now();
    const name = planned.collector.name;
    const memo = last?.collectors.get(name);
    let series: SeriesGroup[] | undefined = memo?.refillable ? refill(memo, planned.sources, readings, shapes) : undefined;
    let failures: ReaderError[] = [];
    if (series !== undefined) {
      next.collectors.set(name, memo as CollectorMemo);
    } else {
      const made = collectAfresh(planned, context, readings, shapes, parsed, memo);
      next.collectors.set(name, made.memo);
      series = made.series;
      failures = made.failures;
    }
    const seconds = work.readSeconds * planned.readShare + (performance.now() - started) / 1000;
    results.set(name, { series, failures, seconds });
  }
  return results;
}

/** The memo's series with this scrape's counters, or undefined when any input is not as it was. */
function refill(memo: CollectorMemo, sources: readonly AnySource[], readings: Readings, shapes: ShapesThisScrape): SeriesGroup[] | undefined {
  if (memo.inputs.length !== sources.length) return undefined;
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i] as AnySource;
    const input = memo.inputs[i] as InputMemo;
    const reading = readings.get(source);
    if (!input.present) {
      if (reading === undefined || reading.ok || reading.error.kind !== 'not-present') return undefined;
      continue;
    }
    if (reading === undefined || !reading.ok || readingKey(source, reading) !== input.key) return undefined;
    const layout = layoutOf(source, reading);
    const kept = layout === undefined ? undefined : shapes.heldFor(input.key, reading.data, layout);
    if (kept === undefined || kept.generation !== input.generation) return undefined;
  }
  return memo.templates.map((template) => fillTemplate(template, template.counters && shapes.counterValues(template.counters.reading.key)));
}

function collectAfresh(
  planned: PlannedCollector,
  context: CollectContext,
  readings: Readings,
  shapes: ShapesThisScrape,
  parsed: Map<AnySource, ParseResult<unknown>>,
  memo: CollectorMemo | undefined,
): { series: SeriesGroup[]; failures: ReaderError[]; memo: CollectorMemo } {
  const failures: ReaderError[] = [];
  const inputs: InputMemo[] = [];
  const values = new Map<AnySource, unknown>();
  const counterReadings = new Map<AnySource, CounterReading>();
  let refillable = true;
  for (const source of planned.sources) {
    const reading = readings.get(source);
    if (!reading?.ok) {
      inputs.push({ present: false });
      if (reading?.ok === false && reading.error.kind === 'not-present') continue; // expected absence
      failures.push(reading === undefined ? { kind: 'tool-failed', detail: `${source.name}: not read` } : reading.error);
      refillable = false;
      continue;
    }
    let result = parsed.get(source);
    if (result === undefined) {
      result = declarationOf(source, reading).parse(reading.data);
      parsed.set(source, result);
    }
    if (!result.ok) {
      inputs.push({ present: false });
      failures.push({ kind: 'parse', detail: `${source.name}: ${result.error.detail}` });
      refillable = false;
      continue;
    }
    values.set(source, result.value);
    const key = readingKey(source, reading);
    const layout = layoutOf(source, reading);
    if (layout === undefined) {
      inputs.push({ present: true, key, generation: undefined });
      refillable = false;
      continue;
    }
    const kept = shapes.keep(key, reading.data, layout, result.value);
    inputs.push({ present: true, key, generation: kept.generation });
    counterReadings.set(source, { key, layout });
  }

  const declared = new Set(planned.sources);
  const input: CollectorInput = <T>(source: Source<T>): T | undefined => {
    if (!declared.has(source)) throw new Error(`collector ${planned.collector.name} did not declare source ${source.name}`);
    return values.get(source) as T | undefined;
  };
  const builder = new TemplateBuilder((source) => counterReadings.get(source));
  try {
    planned.collector.collect(context, input, builder);
  } catch (error) {
    // a collector bug costs this namespace's collector, never the scrape
    failures.push({ kind: 'parse', detail: `collector ${planned.collector.name} failed: ${error instanceof Error ? error.message : String(error)}` });
    refillable = false;
  }
  const templates = builder.finish(memo?.templates);
  return { series: templates.map(templateSeries), failures, memo: { inputs, templates, refillable } };
}

/**
 * Binary readings of one namespace this scrape: whether each still has the shape kept last scrape
 * (checked once per reading, however many sources and collectors share it), keeping new shapes, and
 * one DataView per reading for refills.
 */
class ShapesThisScrape {
  private readonly held = new Map<object, KeptReading | null>();
  private readonly data = new Map<object, Buffer>();
  /** The numbers of text readings whose shape held, read while checking it. */
  private readonly numbers = new Map<object, Float64Array>();
  private readonly values = new Map<object, CounterValues>();

  constructor(
    private readonly last: NamespaceState | undefined,
    private readonly next: NamespaceState,
    private readonly cache: NamespaceCache,
  ) {}

  /** The kept reading these bytes have the shape of, if any (carried over to the next scrape). */
  heldFor(key: object, data: Buffer, layout: ReadingLayout<unknown>): KeptReading | undefined {
    const known = this.held.get(key);
    if (known !== undefined) return known ?? undefined;
    this.data.set(key, data);
    const kept = this.last?.readings.get(key);
    let holds = false;
    if (kept?.layout === layout) {
      if (kept.shape !== undefined) {
        holds = sameKeptShape(kept.shape, data);
      } else if (kept.text !== undefined) {
        const numbers = this.cache.scratch(this.numbers.size, kept.text.numbers);
        holds = readTextNumbers(kept.text, data, numbers);
        if (holds) this.numbers.set(key, numbers);
      }
    }
    this.held.set(key, holds ? (kept as KeptReading) : null);
    if (!holds) return undefined;
    this.next.readings.set(key, kept as KeptReading);
    return kept;
  }

  /** The kept reading for these bytes: the held one, or these bytes kept anew under a new generation. */
  keep(key: object, data: Buffer, layout: ReadingLayout<unknown>, parsed: unknown): KeptReading {
    const held = this.heldFor(key, data, layout);
    if (held !== undefined) return held;
    const generation = this.cache.newGeneration();
    const kept: KeptReading =
      layout.kind === 'binary'
        ? { shape: keepShape(data, layout.volatileRanges(data, parsed)), layout, generation }
        : { text: keepTextShape(data), layout, generation };
    this.held.set(key, kept);
    this.next.readings.set(key, kept);
    return kept;
  }

  /** Where this scrape's counters of a held reading are read from. */
  counterValues(key: object): CounterValues | undefined {
    let values = this.values.get(key);
    if (values === undefined) {
      const kept = this.held.get(key);
      const numbers = this.numbers.get(key);
      const data = this.data.get(key);
      if (kept?.text !== undefined && numbers !== undefined) values = { numbers, kept: kept.text };
      else if (data !== undefined) values = { view: viewOf(data) };
      else return undefined;
      this.values.set(key, values);
    }
    return values;
  }
}
