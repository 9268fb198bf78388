// A collector's series as templates: label rows, the values of the parse, and for each counter where
// it sits in its reading. The cold path (a reading parsed) builds them through SeriesOutput; the hot
// path (a later reading of the same shape) only refills the counters from the new bytes. Either way
// the label-row arrays handed to exposition stay the same objects while their rows stay the same, so
// exposition renders their labels once (exposition/label-blocks.ts).

import type { SeriesOutput } from '../collectors/collector.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../model/snapshot.js';
import { sameStrings } from '../model/same-strings.js';
import type { AnySource, BinaryLayout } from '../sources/source.js';
import { SharedLists } from './shared-lists.js';
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

/**
 * The series one collector made for one family from (at most) one reading, or for one row of
 * label values across several families of one series each (a RowSeries).
 */
export interface SeriesTemplate {
  /**
   * The series as the parse made them (`constants` as values), made once: its families and labels
   * are every refill's, and a template without counters hands it out every scrape.
   */
  readonly parsed: SeriesGroup;
  /** The values of the parse, one per series of `parsed`, never changed once made. */
  readonly constants: readonly number[];
  readonly counters: TemplateCounters;
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

/** Single-series drafts of several families with equal label values, counters from one reading (or none). */
interface RowDraft {
  readonly families: MetricFamily[];
  readonly row: readonly string[];
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

  /**
   * `readingOf` says where a source's counters are this scrape (undefined: not kept, no counters);
   * `lists` shares the templates' lists of places and families with other namespaces' this scrape.
   */
  constructor(
    private readonly readingOf: (source: AnySource) => CounterReading | undefined,
    private readonly lists: SharedLists = new SharedLists(),
  ) {}

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
   * Families with one series here and the same label values become one row template (rowsOf).
   */
  finish(previous: readonly SeriesTemplate[] | undefined): SeriesTemplate[] {
    const earlier = new RowsByFamily(previous);
    const made: { readonly rows: readonly (readonly string[])[]; readonly labels: LabelRows }[] = [];
    // the 16 counter families of a namespace's interfaces have the same places, and routers of one
    // host the same places in their texts: one array for all (SharedLists)
    const { lists } = this;
    return rowsOf(this.drafts).map((draft): SeriesTemplate => {
      const rows = 'families' in draft ? [draft.row] : draft.rows;
      const key = 'families' in draft ? (draft.families[0] as MetricFamily) : draft.family;
      const shared = made.find((entry) => sameRowObjects(entry.rows, rows))?.labels;
      const labels = shared ?? earlier.take(key, rows);
      if (shared === undefined) made.push({ rows, labels });
      const constants = draft.constants.slice();
      return {
        parsed:
          'families' in draft
            ? { families: lists.families(draft.families), labels, values: constants }
            : { family: draft.family, labels, values: constants },
        constants,
        counters: draft.counters === undefined ? NO_COUNTERS : countersOf(draft.counters, lists),
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

/**
 * The drafts with every family that has one series (one draft of one row) joined to a row draft of
 * the same label names and values whose counters come from the same reading: a namespace's 16
 * netstat fields become two rows (snmp's and snmp6's), its socket counts two, its conntrack
 * statistics one. A row draft sits where its first family's draft was; a family of several drafts
 * stays as it is, so that no family's series change order.
 */
function rowsOf(drafts: readonly Draft[]): (Draft | RowDraft)[] {
  const draftsOf = new Map<MetricFamily, number>();
  for (const draft of drafts) draftsOf.set(draft.family, (draftsOf.get(draft.family) ?? 0) + 1);
  const out: (Draft | RowDraft)[] = [];
  const open: RowDraft[] = [];
  for (const draft of drafts) {
    const row = draft.rows[0];
    if (row === undefined || draft.rows.length !== 1 || draftsOf.get(draft.family) !== 1) {
      out.push(draft);
      continue;
    }
    const { counters } = draft;
    let joined = open.find(
      (candidate) =>
        sameStrings(candidate.families[0]?.labelNames ?? [], draft.family.labelNames) &&
        sameStrings(candidate.row, row) &&
        (counters === undefined ||
          candidate.counters === undefined ||
          (candidate.counters.reading.key === counters.reading.key && candidate.counters.counterKind === counters.counterKind)),
    );
    if (joined === undefined) {
      joined = { families: [], row, constants: [], counters: undefined };
      open.push(joined);
      out.push(joined);
    }
    if (counters !== undefined) {
      joined.counters ??= { reading: counters.reading, counterKind: counters.counterKind, series: [], at: [] };
      joined.counters.series.push(joined.families.length);
      joined.counters.at.push(counters.at[0] ?? 0);
    }
    joined.families.push(draft.family);
    joined.constants.push(draft.constants[0] ?? 0);
  }
  // a row of one family has nothing to share: it stays that family's draft
  return out.map((draft) => ('families' in draft && draft.families.length === 1 ? singleDraft(draft) : draft));
}

function singleDraft(row: RowDraft): Draft {
  return { family: row.families[0] as MetricFamily, rows: [row.row], constants: row.constants, counters: row.counters };
}

/** The last scrape's rows of each family, in order, to be taken over where they are equal. */
class RowsByFamily {
  private readonly byFamily = new Map<MetricFamily, LabelRows[]>();

  constructor(templates: readonly SeriesTemplate[] | undefined) {
    for (const { parsed } of templates ?? []) {
      const family = 'families' in parsed ? (parsed.families[0] as MetricFamily) : parsed.family;
      const list = this.byFamily.get(family);
      if (list === undefined) this.byFamily.set(family, [parsed.labels]);
      else if (!list.includes(parsed.labels)) list.push(parsed.labels);
    }
  }

  take(family: MetricFamily, rows: readonly (readonly string[])[]): LabelRows {
    const candidates = this.byFamily.get(family) ?? [];
    const index = candidates.findIndex((earlier) => sameRowValues(earlier, rows));
    // rows are kept between scrapes (120,000 of them at 1,000 routers): an exact-length copy
    return index === -1 ? rows.slice() : (candidates.splice(index, 1)[0] ?? rows.slice());
  }
}

function countersOf(draft: DraftCounters, lists: SharedLists): TemplateCounters {
  const { reading } = draft;
  // most templates have a counter in every series: 0..n-1, one array for all templates of that length
  const series = lists.numbers(draft.series);
  const at = lists.numbers(draft.at);
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
    return withValues(template.parsed, filled);
  }
  const view = values.view(counters.key);
  if (view === undefined) return template.parsed;
  const { layout, counterKind } = counters;
  if (previous !== undefined && sameBinaryCounters(previous.values, series, at, view, layout, counterKind)) return previous;
  const filled = template.constants.slice();
  for (let j = 0; j < at.length; j++) filled[series[j] ?? 0] = layout.readCounter(view, at[j] ?? 0, counterKind);
  return withValues(template.parsed, filled);
}

/** The group `parsed` is, with other values. */
function withValues(parsed: SeriesGroup, values: readonly number[]): SeriesGroup {
  return 'families' in parsed
    ? { families: parsed.families, labels: parsed.labels, values }
    : { family: parsed.family, labels: parsed.labels, values };
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
