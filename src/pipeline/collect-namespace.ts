// Runs the enabled collectors over one namespace's readings, in three steps:
//  1. inputs (inputsOf): what each planned source gave this scrape, decided once for every collector:
//     absent (no series and no failure), failed (a failure of each collector that needs it, its other
//     inputs still used), or bytes, parsed when a collector first needs them;
//  2. the collector run (runCollector): "same shape, new counters" where every input a collector read
//     last scrape is a kept reading (binary or /proc text) of the same shape: the collector is not run
//     at all and its templates are refilled (at 1,000 routers, nearly every namespace every scrape);
//     otherwise the collector runs on the parsed records and its templates are made anew;
//  3. series (seriesOf): the templates with this scrape's values.

import type { CollectContext, Collector, CollectorInput } from '../collectors/collector.js';
import type { NetnsRef } from '../model/netns-ref.js';
import type { ReaderError } from '../model/reader-error.js';
import type { CollectorResult, SeriesGroup } from '../model/snapshot.js';
import { viewOf } from '../parsers/binary-counters.js';
import type { OkReading, Reading, ReadingDeclaration, Readings } from '../readers/reader.js';
import type { AnySource, ReadingLayout, Source } from '../sources/source.js';
import type { CollectorMemo, InputMemo, KeptReading, NamespaceCache, NamespaceState } from './namespace-cache.js';
import { keepShape, sameKeptShape } from './reading-shape.js';
import type { SharedLists } from './shared-lists.js';
import { fillTemplate, TemplateBuilder, type CounterReading, type CounterValues, type SeriesTemplate } from './series-templates.js';
import { keepReadText, keepTextShape, readTextNumbers, type KeptTextShape } from './text-shape.js';

/** A collector with the sources it reads under this exporter's options. */
export interface PlannedCollector {
  readonly collector: Collector;
  readonly sources: readonly AnySource[];
  /** Where each of `sources` is in the plan's list of every source read (NamespaceWork.sources). */
  readonly inputs: readonly number[];
  /** This collector's share of a namespace's reading time (its sources over all sources read). */
  readonly readShare: number;
}

export interface NamespaceWork {
  readonly ns: NetnsRef;
  readonly readings: Readings;
  readonly readSeconds: number;
  /** Every source read, in the order their readings' keys count (readers/reader.ts). */
  readonly sources: readonly AnySource[];
  readonly collectors: readonly PlannedCollector[];
  readonly intern: (value: string) => string;
  readonly family: CollectContext['family'];
  readonly cache: NamespaceCache;
}

export function collectNamespace(work: NamespaceWork): Map<string, CollectorResult> {
  const { last, next } = work.cache.open(work.ns);
  const inputs = inputsOf(work.sources, work.readings);
  const shapes = new ReadingShapes(last, next, work.cache);
  const context: NamespaceContext = { ns: work.ns, intern: work.intern, family: work.family };
  const results = new Map<string, CollectorResult>();
  work.collectors.forEach((planned, index) => {
    const started = performance.now();
    // what the collector carried stays carried unless it carries something else (a refill never runs it)
    next.carried[index] = last?.carried[index];
    const run = runCollector(planned, last?.collectors[index], inputs, shapes, context, next.carried, index, work.cache.lists);
    const series = seriesOf(run, shapes);
    next.collectors[index] = memoWithSeries(run.memo, series);
    const seconds = work.readSeconds * planned.readShare + (performance.now() - started) / 1000;
    results.set(planned.collector.name, { series, failures: run.kind === 'collected' ? run.failures : NO_FAILURES, seconds });
  });
  return results;
}

/** The failures of a refill: none (one frozen array for every refill, not a new one per collector and namespace). */
const NO_FAILURES: readonly ReaderError[] = Object.freeze([]);

// ---- 1. inputs

/** What one source gave this scrape. */
type Input =
  /** Not in this namespace (no legacy tables, conntrack not loaded): no series, and no failure. */
  | { readonly kind: 'absent' }
  /** Not read, or the read failed: a failure of every collector that needs it. */
  | { readonly kind: 'failed'; readonly error: ReaderError }
  /** Bytes, parsed when a collector first needs them (a refill never does). */
  | { readonly kind: 'read'; readonly reading: OkReading };

type ParseOutcome = ReturnType<ReadingDeclaration['parse']>;
/** A source's records, of whatever type its declaration parses to (the collector asks for them typed). */
type Records = Extract<ParseOutcome, { readonly ok: true }>['value'];

const ABSENT: Input = { kind: 'absent' };

function inputOf(source: AnySource, reading: Reading | undefined): Input {
  if (reading === undefined) return { kind: 'failed', error: { kind: 'tool-failed', detail: `${source.name}: not read` } };
  if (reading.ok) return { kind: 'read', reading };
  return reading.error.kind === 'not-present' ? ABSENT : { kind: 'failed', error: reading.error };
}

/** Each planned source's input, by its place in the plan; each reading parsed at most once. */
class NamespaceInputs {
  private readonly parsed: (ParseOutcome | undefined)[] = [];

  constructor(private readonly inputs: readonly Input[]) {}

  at(index: number): Input {
    return this.inputs[index] ?? ABSENT;
  }

  parse(index: number, reading: OkReading): ParseOutcome {
    let result = this.parsed[index];
    if (result === undefined) {
      result = 'file' in reading ? reading.declaration.parse(reading.data, reading.file) : reading.declaration.parse(reading.data);
      this.parsed[index] = result;
    }
    return result;
  }
}

function inputsOf(sources: readonly AnySource[], readings: Readings): NamespaceInputs {
  return new NamespaceInputs(sources.map((source) => inputOf(source, readings.get(source))));
}

function layoutOf(declaration: ReadingDeclaration): ReadingLayout<unknown> | undefined {
  return 'layout' in declaration ? declaration.layout : undefined;
}

// ---- 2. the collector run

/** What every collector of the namespace runs with (CollectContext without what each one carries). */
type NamespaceContext = Omit<CollectContext, 'carried' | 'carry'>;

type CollectorRun =
  /** Every input has the shape the memo was made from: its templates take this scrape's counters. */
  | { readonly kind: 'refilled'; readonly memo: Extract<CollectorMemo, { readonly kind: 'refillable' }> }
  /** The collector ran on this scrape's records. */
  | { readonly kind: 'collected'; readonly memo: CollectorMemo; readonly failures: readonly ReaderError[] };

function runCollector(
  planned: PlannedCollector,
  memo: CollectorMemo | undefined,
  inputs: NamespaceInputs,
  shapes: ReadingShapes,
  context: NamespaceContext,
  carried: unknown[],
  place: number,
  lists: SharedLists,
): CollectorRun {
  if (memo?.kind === 'refillable' && stillHolds(planned, memo.inputs, inputs, shapes)) return { kind: 'refilled', memo };
  return collectAfresh(planned, memo?.templates, inputs, shapes, context, carried, place, lists);
}

/** True when every input is as the memo has it: absent where it was, the kept shape (and generation) where it was read. */
function stillHolds(planned: PlannedCollector, was: readonly InputMemo[], inputs: NamespaceInputs, shapes: ReadingShapes): boolean {
  if (was.length !== planned.inputs.length) return false;
  for (let i = 0; i < was.length; i++) {
    const before = was[i];
    const input = inputs.at(planned.inputs[i] ?? -1);
    if (before === undefined) return false;
    if (before.kind === 'absent') {
      if (input.kind !== 'absent') return false;
      continue;
    }
    if (input.kind !== 'read' || input.reading.key !== before.key) return false;
    const layout = layoutOf(input.reading.declaration);
    if (layout === undefined || shapes.heldFor(input.reading, layout)?.generation !== before.generation) return false;
  }
  return true;
}

function collectAfresh(
  planned: PlannedCollector,
  previous: readonly SeriesTemplate[] | undefined,
  inputs: NamespaceInputs,
  shapes: ReadingShapes,
  namespace: NamespaceContext,
  carried: unknown[],
  place: number,
  lists: SharedLists,
): CollectorRun {
  const { collector, sources } = planned;
  // `carried`: what each collector of the namespace carries, by its place in the plan
  const context: CollectContext = {
    ...namespace,
    carried: carried[place],
    carry: (value) => {
      carried[place] = value;
    },
  };
  const failures: ReaderError[] = [];
  const kept: InputMemo[] = [];
  const records: Records[] = [];
  const counterReadings: (CounterReading | undefined)[] = [];
  // A collector with no sources (processes: its numbers come from discovery) has no reading whose
  // shape could vouch for its series: with nothing to compare, stillHolds would refill its first
  // scrape's numbers forever. It runs every scrape.
  let refillable = sources.length > 0;
  sources.forEach((source, i) => {
    const index = planned.inputs[i] ?? -1;
    const input = inputs.at(index);
    if (input.kind === 'absent') {
      kept.push({ kind: 'absent' });
      return;
    }
    if (input.kind === 'failed') {
      failures.push(input.error);
      refillable = false;
      return;
    }
    const { reading } = input;
    const result = inputs.parse(index, reading);
    if (!result.ok) {
      failures.push({ kind: 'parse', detail: `${source.name}: ${result.error.detail}` });
      refillable = false;
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- each source's records keep their own type, asked for typed by CollectorInput
    records[i] = result.value;
    const layout = layoutOf(reading.declaration);
    if (layout === undefined) {
      refillable = false; // parsed every scrape: nothing kept to refill from
      return;
    }
    const shape = shapes.keep(reading, layout, result.value);
    kept.push({ kind: 'kept', key: reading.key, generation: shape.generation });
    counterReadings[i] =
      shape.kind === 'binary'
        ? { kind: 'binary', key: reading.key, layout: shape.layout }
        : { kind: 'text', key: reading.key, positions: shapes.positionsOf(reading.key) };
  });

  const declared = (source: Source<unknown>): number => {
    const i = sources.indexOf(source);
    if (i === -1) throw new Error(`collector ${collector.name} did not declare source ${source.name}`);
    return i;
  };
  // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- the records of the source asked for, of the type it declares
  const input: CollectorInput = (source) => records[declared(source)];
  const builder = new TemplateBuilder((source) => counterReadings[declared(source)], lists);
  try {
    collector.collect(context, input, builder);
  } catch (error) {
    // a collector bug costs this namespace's collector, never the scrape
    failures.push({
      kind: 'parse',
      detail: `collector ${collector.name} failed: ${error instanceof Error ? error.message : String(error)}`,
    });
    refillable = false;
  }
  const templates = builder.finish(previous);
  const memo: CollectorMemo = refillable
    ? { kind: 'refillable', inputs: kept, templates, series: templates.map((template) => template.parsed) }
    : { kind: 'collect-again', templates };
  return { kind: 'collected', memo, failures };
}

// ---- 3. series

/**
 * The series of the run: the templates as parsed, or refilled with this scrape's counters. A refill
 * in which no counter moved hands out last scrape's very array (exposition only reads it).
 */
function seriesOf(run: CollectorRun, values: CounterValues): readonly SeriesGroup[] {
  const { memo } = run;
  if (memo.kind === 'collect-again') return memo.templates.map((template) => template.parsed);
  if (run.kind === 'collected') return memo.series;
  const { templates, series: was } = memo;
  // made only once a group moved: an idle namespace's refill allocates nothing
  let series: SeriesGroup[] | undefined;
  for (let i = 0; i < templates.length; i++) {
    const previous = was[i];
    const group = fillTemplate(templates[i] as SeriesTemplate, values, previous);
    if (series === undefined) {
      if (group === previous) continue;
      series = was.slice(0, i);
    }
    series.push(group);
  }
  return series ?? was;
}

/** The memo the next scrape starts from: a refillable one remembers the series of this scrape. */
function memoWithSeries(memo: CollectorMemo, series: readonly SeriesGroup[]): CollectorMemo {
  if (memo.kind === 'collect-again' || memo.series === series) return memo;
  return { ...memo, series };
}

// ---- the kept shapes of the namespace's readings

/** A reading's shape this scrape, once checked. */
type ShapeCheck =
  /** A binary reading with the kept shape: its counters are read from `view`. */
  | { readonly kind: 'held-binary'; readonly kept: KeptReading; readonly view: DataView }
  /** A text with the kept words around other numbers, which were read while checking. */
  | { readonly kind: 'held-text'; readonly kept: KeptReading; readonly numbers: Float64Array }
  /** A text byte for byte the last scrape's: its numbers are read only if a template has no earlier series. */
  | { readonly kind: 'same-text'; readonly kept: KeptReading; readonly data: Buffer }
  /** Kept anew this scrape (parsed, with another shape or none kept); a text's numbers are at `positions`. */
  | { readonly kind: 'kept-anew'; readonly kept: KeptReading; readonly positions: Int32Array }
  /** Not the kept shape, and not (yet) kept anew. */
  | { readonly kind: 'changed' };

const NO_POSITIONS: Int32Array = new Int32Array(0);

/**
 * Readings of one namespace this scrape against what the last scrape kept, by reading key: checked
 * once per reading, however many sources and collectors share it; new shapes kept; and, for
 * refills, where each held reading's counters are.
 */
class ReadingShapes implements CounterValues {
  private readonly checked: (ShapeCheck | undefined)[] = [];

  constructor(
    private readonly last: NamespaceState | undefined,
    private readonly next: NamespaceState,
    private readonly cache: NamespaceCache,
  ) {}

  /** The kept reading this reading has the shape of, if any (carried over to the next scrape). */
  heldFor(reading: OkReading, layout: ReadingLayout<unknown>): KeptReading | undefined {
    const check = this.checked[reading.key] ?? this.check(reading, layout);
    return check.kind === 'changed' ? undefined : check.kept;
  }

  /**
   * The kept reading for the records parsed from this reading: a held binary one (same length and
   * bytes around the counters: the counters sit where they sat), one kept anew this scrape, or this
   * one kept anew under a new generation. A held text is kept anew too: it has the kept words, but a
   * number of another length moves every byte offset after it, and the records give the offsets of
   * this text (collectors refilled from the held one see another generation, and parse once).
   */
  keep(reading: OkReading, layout: ReadingLayout<unknown>, parsed: unknown): KeptReading {
    const check = this.checked[reading.key] ?? this.check(reading, layout);
    if (check.kind === 'held-binary' || check.kind === 'kept-anew') return check.kept;
    const generation = this.cache.newGeneration();
    let positions: Int32Array = NO_POSITIONS;
    let kept: KeptReading;
    if (layout.kind === 'binary') {
      kept = { kind: 'binary', shape: keepShape(reading.data, layout.volatileRanges(reading.data, parsed)), layout, generation };
    } else {
      const made = keepTextShape(reading.data, this.cache.scrape, (data) => this.cache.texts.share(data));
      positions = made.positions;
      kept = { kind: 'text', text: made.kept, generation };
    }
    this.checked[reading.key] = { kind: 'kept-anew', kept, positions };
    this.next.readings[reading.key] = kept;
    return kept;
  }

  /** Where the numbers of a text kept anew this scrape are (the parse that kept it makes its templates from them). */
  positionsOf(key: number): Int32Array {
    const check = this.checked[key];
    return check?.kind === 'kept-anew' ? check.positions : NO_POSITIONS;
  }

  view(key: number): DataView | undefined {
    const check = this.checked[key];
    return check?.kind === 'held-binary' ? check.view : undefined;
  }

  numbers(key: number): Float64Array | undefined {
    const check = this.checked[key];
    if (check?.kind === 'held-text') return check.numbers;
    if (check?.kind !== 'same-text' || check.kept.kind !== 'text') return undefined;
    // a template with no series of the last scrape to hand out again (none is expected: see unchanged)
    const numbers = this.cache.scratch(key, check.kept.text.numbers);
    return readTextNumbers(check.kept.text, check.data, numbers) ? numbers : undefined;
  }

  unchanged(key: number): boolean {
    return this.checked[key]?.kind === 'same-text';
  }

  private check(reading: OkReading, layout: ReadingLayout<unknown>): ShapeCheck {
    const kept = this.last?.readings[reading.key];
    let check: ShapeCheck = { kind: 'changed' };
    if (kept?.kind === 'binary' && kept.layout === layout) {
      if (sameKeptShape(kept.shape, reading.data)) check = { kind: 'held-binary', kept, view: viewOf(reading.data) };
    } else if (kept?.kind === 'text' && layout.kind === 'numbers-in-text') {
      check = this.checkText(reading.key, kept, kept.text, reading.data);
    }
    this.checked[reading.key] = check;
    if (check.kind !== 'changed') this.next.readings[reading.key] = check.kept;
    return check;
  }

  /**
   * A text against the last scrape's: the same bytes (one memcmp), or the same words around other
   * numbers, whose bytes then replace the kept ones for the next scrape to compare with.
   */
  private checkText(key: number, kept: KeptReading, text: KeptTextShape, data: Buffer): ShapeCheck {
    const scrape = this.cache.scrape;
    if (text.readIn === scrape - 1 && text.bytes.equals(data)) {
      text.readIn = scrape;
      if (text.shared !== undefined) this.cache.texts.handOn(text.shared);
      return { kind: 'same-text', kept, data };
    }
    const numbers = this.cache.scratch(key, text.numbers);
    if (!readTextNumbers(text, data, numbers)) return { kind: 'changed' };
    keepReadText(text, data, scrape);
    return { kind: 'held-text', kept, numbers };
  }
}
