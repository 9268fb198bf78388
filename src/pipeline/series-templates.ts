// A collector's series as templates: label rows, the values of the parse, and for each counter where
// it sits in its reading. The cold path (a reading parsed) builds them through SeriesOutput; the hot
// path (a later reading of the same shape) only refills the counters from the new bytes. Either way
// the label-row arrays handed to exposition stay the same objects while their rows stay the same, so
// exposition renders their labels once (exposition/label-blocks.ts).

import type { SeriesOutput } from '../collectors/collector.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../model/snapshot.js';
import type { AnySource, BinaryLayout } from '../sources/source.js';
import { numberIndex } from './text-shape.js';

/** The kept reading a template's counters are read from again, by its key (readers/reader.ts). */
export type CounterReading =
  /** Counters at byte offsets, read by the layout. */
  | { readonly kind: 'binary'; readonly key: number; readonly layout: BinaryLayout<unknown> }
  /** Numbers of a text, by their index among the text's numbers (found once, from where the parsed text has them). */
  | { readonly kind: 'text'; readonly key: number; readonly positions: Int32Array };

/**
 * Where a template's counters are: the series `series[j]` is the counter at `at[j]` (a byte offset,
 * or a text number's index) of the reading keyed `key`; the other series keep the parse's value.
 */
export type TemplateCounters =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'binary';
      readonly key: number;
      readonly layout: BinaryLayout<unknown>;
      /** The layout's kind of every counter here (0 when the layout has one encoding). */
      readonly counterKind: number;
      readonly series: Places;
      readonly at: Places;
    }
  | { readonly kind: 'text'; readonly key: number; readonly series: Places; readonly at: Places };

/**
 * Indices or byte offsets, as a plain array: most templates are one series with one counter, and a
 * typed array of one number costs an array buffer object besides (43 a router, 8 MB at 1,000 routers).
 */
type Places = readonly number[];

/** The series one collector made for one family from (at most) one reading. */
export interface SeriesTemplate {
  readonly family: MetricFamily;
  readonly labels: LabelRows;
  /** The values of the parse: exactly as long as `labels`, and never changed once made. */
  readonly constants: readonly number[];
  readonly counters: TemplateCounters;
  /** The series as the parse made them (`constants` as values), made once: a template without counters hands it out every scrape. */
  readonly parsed: SeriesGroup;
}

const NO_COUNTERS: TemplateCounters = { kind: 'none' };

/** This scrape's counters of the kept readings, by reading key: a binary reading's bytes, a text's numbers. */
export interface CounterValues {
  view(key: number): DataView | undefined;
  numbers(key: number): Float64Array | undefined;
  /** True when the reading is byte for byte the one of the last scrape: every counter in it is as it was. */
  unchanged(key: number): boolean;
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
    const place = reading === undefined || at === undefined ? -1 : reading.kind === 'text' ? numberIndex(reading.positions, at) : at;
    if (reading === undefined || place < 0) {
      this.gauge(family, labels, value);
      return;
    }
    let draft = this.lastOfFamily.get(family);
    const counters = draft?.counters;
    if (draft === undefined || (counters !== undefined && (counters.reading.key !== reading.key || counters.counterKind !== kind)))
      draft = this.draft(family);
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
      const constants = draft.constants.slice();
      return {
        family: draft.family,
        labels,
        constants,
        counters: draft.counters === undefined ? NO_COUNTERS : countersOf(draft.counters, arrays),
        parsed: { family: draft.family, labels, values: constants },
      };
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

/** One array for equal lists of numbers within one collection. */
class SharedArrays {
  private readonly arrays: Places[] = [];

  of(numbers: readonly number[]): Places {
    let array = this.arrays.find((candidate) => sameNumbers(candidate, numbers));
    if (array === undefined) {
      array = numbers.slice();
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

function countersOf(draft: DraftCounters, arrays: SharedArrays): TemplateCounters {
  const { reading } = draft;
  // most templates have a counter in every series: 0..n-1, one array for all templates of that length
  const series = arrays.of(draft.series);
  const at = arrays.of(draft.at);
  if (reading.kind === 'text') return { kind: 'text', key: reading.key, series, at };
  return { kind: 'binary', key: reading.key, layout: reading.layout, counterKind: draft.counterKind, series, at };
}

/**
 * This scrape's series of a template: the parse's values, with counters read from this scrape's
 * readings. `previous` is what the same template gave last scrape: when every counter reads as it
 * did then (an idle router's error counters, its socket counts), that very group is handed out again,
 * so an unchanged series costs no new object at all (every group of a scrape lives until its
 * exposition is written, long enough to be promoted and swept by the old generation's collector).
 */
export function fillTemplate(template: SeriesTemplate, values: CounterValues, previous: SeriesGroup | undefined): SeriesGroup {
  const { counters } = template;
  // nothing moves: the very same values array (exposition only reads it)
  if (counters.kind === 'none') return template.parsed;
  const { series, at } = counters;
  if (counters.kind === 'text') {
    if (previous !== undefined && values.unchanged(counters.key)) return previous;
    const numbers = values.numbers(counters.key);
    if (numbers === undefined) return template.parsed;
    if (previous !== undefined && sameTextCounters(previous.values, series, at, numbers)) return previous;
    // A copy of the constants with the counters read over them: a plain array, because a new
    // Float64Array of this size has its bytes outside the heap and costs several times the copy.
    const filled = template.constants.slice();
    for (let j = 0; j < at.length; j++) filled[series[j] ?? 0] = numbers[at[j] ?? 0] ?? 0;
    return { family: template.family, labels: template.labels, values: filled };
  }
  const view = values.view(counters.key);
  if (view === undefined) return template.parsed;
  const { layout, counterKind } = counters;
  if (previous !== undefined && sameBinaryCounters(previous.values, series, at, view, layout, counterKind)) return previous;
  const filled = template.constants.slice();
  for (let j = 0; j < at.length; j++) filled[series[j] ?? 0] = layout.readCounter(view, at[j] ?? 0, counterKind);
  return { family: template.family, labels: template.labels, values: filled };
}

function sameTextCounters(was: ArrayLike<number>, series: Places, at: Places, numbers: Float64Array): boolean {
  for (let j = 0; j < at.length; j++) if (was[series[j] ?? 0] !== numbers[at[j] ?? 0]) return false;
  return true;
}

function sameBinaryCounters(
  was: ArrayLike<number>,
  series: Places,
  at: Places,
  view: DataView,
  layout: BinaryLayout<unknown>,
  counterKind: number,
): boolean {
  for (let j = 0; j < at.length; j++) if (was[series[j] ?? 0] !== layout.readCounter(view, at[j] ?? 0, counterKind)) return false;
  return true;
}

function sameNumbers(a: Places, b: readonly number[]): boolean {
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
