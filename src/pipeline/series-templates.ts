// A collector's series as templates: label rows, the values of the parse, and for each counter where
// it sits in its reading. The cold path (a reading parsed) builds them through SeriesOutput; the hot
// path (a later reading of the same shape) only refills the counters from the new bytes. Either way
// the label-row arrays handed to exposition stay the same objects while their rows stay the same, so
// exposition renders their labels once (exposition/label-blocks.ts).

import type { SeriesOutput } from '../collectors/collector.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../model/snapshot.js';
import type { AnySource, BinaryLayout } from '../sources/source.js';
import { numberIndex, type KeptTextShape } from './text-shape.js';

/** The kept reading a template's counters are read from again, by its key (readers/reader.ts). */
export type CounterReading =
  /** Counters at byte offsets, read by the layout. */
  | { readonly kind: 'binary'; readonly key: number; readonly layout: BinaryLayout<unknown> }
  /** Numbers of a text, by their index among the text's numbers (found once, from the kept shape). */
  | { readonly kind: 'text'; readonly key: number; readonly kept: KeptTextShape };

/** Which of a template's series are counters, and where each is: a byte offset, or a text number's index. */
export type CounterPlaces =
  /** Every series: series i at `at[i]`. */
  | { readonly kind: 'every'; readonly at: Uint32Array }
  /** Some of them: series `series[j]` at `at[j]`; the others keep the parse's value. */
  | { readonly kind: 'some'; readonly series: Uint32Array; readonly at: Uint32Array };

interface TemplateBase {
  readonly family: MetricFamily;
  readonly labels: LabelRows;
  /** The values of the parse: exactly as long as `labels`, and never changed once made. */
  readonly constants: readonly number[];
}

/** The series one collector made for one family from (at most) one reading. */
export type SeriesTemplate =
  | (TemplateBase & { readonly kind: 'constants' })
  | (TemplateBase & {
      readonly kind: 'counters';
      readonly reading: CounterReading;
      /** The layout's kind of every counter here (0 when the layout has one encoding). */
      readonly counterKind: number;
      readonly places: CounterPlaces;
    });

/** This scrape's counters of the kept readings, by reading key: a binary reading's bytes, a text's numbers. */
export interface CounterValues {
  view(key: number): DataView | undefined;
  numbers(key: number): Float64Array | undefined;
}

interface DraftCounters {
  readonly reading: CounterReading;
  readonly counterKind: number;
  readonly series: number[];
  readonly at: number[];
}

interface Draft {
  readonly family: MetricFamily;
  readonly rows: (readonly string[])[];
  readonly constants: number[];
  counters: DraftCounters | undefined;
}

/**
 * Collects one collector's series for one namespace. Series of a family stay in the order they came;
 * a family's counters from another reading (or of another kind) start a new template after the last
 * one (a namespace's nf_tables and legacy rules are two readings).
 */
export class TemplateBuilder implements SeriesOutput {
  private readonly drafts: Draft[] = [];
  private readonly lastOfFamily = new Map<MetricFamily, Draft>();

  /** `readingOf` says where a source's counters are this scrape (undefined: not kept, no counters). */
  constructor(private readonly readingOf: (source: AnySource) => CounterReading | undefined) {}

  gauge(family: MetricFamily, labels: readonly string[], value: number): void {
    this.add(this.lastOfFamily.get(family) ?? this.draft(family), labels, value);
  }

  counter(family: MetricFamily, labels: readonly string[], value: number, source: AnySource, at: number | undefined, kind = 0): void {
    const reading = at === undefined ? undefined : this.readingOf(source);
    const place = reading === undefined || at === undefined ? -1 : reading.kind === 'text' ? numberIndex(reading.kept, at) : at;
    if (reading === undefined || place < 0) {
      this.gauge(family, labels, value);
      return;
    }
    let draft = this.lastOfFamily.get(family);
    const counters = draft?.counters;
    if (draft === undefined || (counters !== undefined && (counters.reading.key !== reading.key || counters.counterKind !== kind))) draft = this.draft(family);
    draft.counters ??= { reading, counterKind: kind, series: [], at: [] };
    draft.counters.series.push(draft.rows.length);
    draft.counters.at.push(place);
    this.add(draft, labels, value);
  }

  /**
   * The templates, with label-row arrays shared between families whose rows are the same row objects
   * (a rule's packets and bytes) and taken over from `previous` (the last scrape's) where equal.
   */
  finish(previous: readonly SeriesTemplate[] | undefined): SeriesTemplate[] {
    const earlier = new RowsByFamily(previous);
    const made: { readonly rows: readonly (readonly string[])[]; readonly labels: LabelRows }[] = [];
    // the 16 counter families of a namespace's interfaces have the same places: one array for all
    const arrays = new SharedArrays();
    return this.drafts.map((draft): SeriesTemplate => {
      const shared = made.find((entry) => sameRowObjects(entry.rows, draft.rows))?.labels;
      const labels = shared ?? earlier.take(draft.family, draft.rows);
      if (shared === undefined) made.push({ rows: draft.rows, labels });
      const base = { family: draft.family, labels, constants: draft.constants.slice() };
      const { counters } = draft;
      if (counters === undefined) return { ...base, kind: 'constants' };
      const at = arrays.of(counters.at);
      const places: CounterPlaces =
        counters.series.length === draft.rows.length ? { kind: 'every', at } : { kind: 'some', series: arrays.of(counters.series), at };
      return { ...base, kind: 'counters', reading: counters.reading, counterKind: counters.counterKind, places };
    });
  }

  private draft(family: MetricFamily): Draft {
    const draft: Draft = { family, rows: [], constants: [], counters: undefined };
    this.drafts.push(draft);
    this.lastOfFamily.set(family, draft);
    return draft;
  }

  private add(draft: Draft, labels: readonly string[], value: number): void {
    draft.rows.push(labels);
    draft.constants.push(value);
  }
}

/** One Uint32Array for equal lists of numbers within one collection. */
class SharedArrays {
  private readonly arrays: Uint32Array[] = [];

  of(numbers: readonly number[]): Uint32Array {
    let array = this.arrays.find((candidate) => sameNumbers(candidate, numbers));
    if (array === undefined) {
      array = Uint32Array.from(numbers);
      this.arrays.push(array);
    }
    return array;
  }
}

/** The last scrape's rows of each family, in order, to be taken over where they are equal. */
class RowsByFamily {
  private readonly byFamily = new Map<MetricFamily, LabelRows[]>();

  constructor(templates: readonly SeriesTemplate[] | undefined) {
    for (const template of templates ?? []) {
      const list = this.byFamily.get(template.family);
      if (list === undefined) this.byFamily.set(template.family, [template.labels]);
      else if (!list.includes(template.labels)) list.push(template.labels);
    }
  }

  take(family: MetricFamily, rows: readonly (readonly string[])[]): LabelRows {
    const candidates = this.byFamily.get(family) ?? [];
    const index = candidates.findIndex((earlier) => sameRowValues(earlier, rows));
    // rows are kept between scrapes (120,000 of them at 1,000 routers): an exact-length copy
    return index === -1 ? rows.slice() : (candidates.splice(index, 1)[0] ?? rows.slice());
  }
}

/** This scrape's series of a template: the parse's values, with counters read from this scrape's readings. */
export function fillTemplate(template: SeriesTemplate, values: CounterValues): SeriesGroup {
  // nothing moves: the very same values array (exposition only reads it)
  if (template.kind === 'constants') return templateSeries(template);
  const { reading, places } = template;
  // A copy of the constants with the counters read over them: a plain array, because a new
  // Float64Array of this size has its bytes outside the heap and costs several times the copy.
  const filled = template.constants.slice();
  if (reading.kind === 'text') {
    const numbers = values.numbers(reading.key);
    if (numbers === undefined) return templateSeries(template);
    if (places.kind === 'every') fillNumbers(filled, numbers, places.at);
    else fillSomeNumbers(filled, numbers, places.series, places.at);
  } else {
    const view = values.view(reading.key);
    if (view === undefined) return templateSeries(template);
    if (places.kind === 'every') fillCounters(filled, reading.layout, view, places.at, template.counterKind);
    else fillSomeCounters(filled, reading.layout, view, places.series, places.at, template.counterKind);
  }
  return { family: template.family, labels: template.labels, values: filled };
}

// One loop each, so that each stays small and monomorphic on the hot path.
function fillNumbers(into: number[], numbers: Float64Array, at: Uint32Array): void {
  for (let i = 0; i < at.length; i++) into[i] = numbers[at[i] ?? 0] ?? 0;
}

function fillSomeNumbers(into: number[], numbers: Float64Array, series: Uint32Array, at: Uint32Array): void {
  for (let j = 0; j < at.length; j++) into[series[j] ?? 0] = numbers[at[j] ?? 0] ?? 0;
}

function fillCounters(into: number[], layout: BinaryLayout<unknown>, view: DataView, at: Uint32Array, kind: number): void {
  for (let i = 0; i < at.length; i++) into[i] = layout.readCounter(view, at[i] ?? 0, kind);
}

function fillSomeCounters(into: number[], layout: BinaryLayout<unknown>, view: DataView, series: Uint32Array, at: Uint32Array, kind: number): void {
  for (let j = 0; j < at.length; j++) into[series[j] ?? 0] = layout.readCounter(view, at[j] ?? 0, kind);
}

/** The template's series as the cold path made them: the values are the parse's. */
export function templateSeries(template: SeriesTemplate): SeriesGroup {
  return { family: template.family, labels: template.labels, values: template.constants };
}

function sameNumbers(a: Uint32Array, b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameRowObjects(a: LabelRows, b: readonly (readonly string[])[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameRowValues(a: LabelRows, b: readonly (readonly string[])[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? [];
    const y = b[i] ?? [];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
