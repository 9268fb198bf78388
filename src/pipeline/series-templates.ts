// A collector's series as templates: label rows, the values of the parse, and for each counter where
// it sits in its reading. The cold path (a reading parsed) builds them through SeriesOutput; the hot
// path (a later reading of the same shape) only refills the counters from the new bytes. Either way
// the label-row arrays handed to exposition stay the same objects while their rows stay the same, so
// exposition renders their labels once (exposition/label-blocks.ts).

import type { SeriesOutput } from '../collectors/collector.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../model/snapshot.js';
import type { AnySource, ReadingLayout } from '../sources/source.js';
import { numberIndex, type KeptTextShape } from './text-shape.js';

/** Marks a series whose value is the parse's, not a counter in the reading. */
const CONSTANT = -1;

/** Where the counters of one template are: one reading (by its key) and how to read them. */
export interface CounterReading {
  readonly key: object;
  readonly layout: ReadingLayout<unknown>;
}

/** The series one collector made for one family from (at most) one reading. */
export interface SeriesTemplate {
  readonly family: MetricFamily;
  readonly labels: LabelRows;
  /** The values of the parse: exactly as long as `labels`, and never changed once made. */
  readonly constants: readonly number[];
  /** Only where some value is a counter in a reading. */
  readonly counters?: {
    readonly reading: CounterReading;
    /** Byte offset of each series' counter, or CONSTANT. */
    readonly offsets: Float64Array;
    /** Each counter's kind, or one kind for all (the usual case: one family, one encoding). */
    readonly kinds: Uint8Array | number;
  };
}

interface Draft {
  readonly family: MetricFamily;
  reading: CounterReading | undefined;
  readonly rows: (readonly string[])[];
  readonly constants: number[];
  readonly offsets: number[];
  readonly kinds: number[];
}

/**
 * Collects one collector's series for one namespace. Series of a family stay in the order they came;
 * a family's counters from another reading start a new template after the last one (a namespace's
 * nf_tables and legacy rules are two readings).
 */
export class TemplateBuilder implements SeriesOutput {
  private readonly drafts: Draft[] = [];
  private readonly lastOfFamily = new Map<MetricFamily, Draft>();

  /** `readingOf` says where a source's counters are this scrape (undefined: text, no counters). */
  constructor(private readonly readingOf: (source: AnySource) => CounterReading | undefined) {}

  gauge(family: MetricFamily, labels: readonly string[], value: number): void {
    this.add(this.lastOfFamily.get(family) ?? this.draft(family, undefined), labels, value, CONSTANT, 0);
  }

  counter(family: MetricFamily, labels: readonly string[], value: number, source: AnySource, at: number | undefined, kind = 0): void {
    const reading = at === undefined ? undefined : this.readingOf(source);
    if (reading === undefined) {
      this.gauge(family, labels, value);
      return;
    }
    let draft = this.lastOfFamily.get(family);
    if (draft === undefined || (draft.reading !== undefined && draft.reading.key !== reading.key)) draft = this.draft(family, reading);
    draft.reading ??= reading;
    this.add(draft, labels, value, at as number, kind);
  }

  /**
   * The templates, with label-row arrays shared between families whose rows are the same row objects
   * (a rule's packets and bytes) and taken over from `previous` (the last scrape's) where equal.
   */
  finish(previous: readonly SeriesTemplate[] | undefined): SeriesTemplate[] {
    const earlier = new RowsByFamily(previous);
    const made: { readonly rows: readonly (readonly string[])[]; readonly labels: LabelRows }[] = [];
    // the 16 counter families of a namespace's interfaces have the same offsets: one array for all
    const offsetArrays: Float64Array[] = [];
    const offsetsOf = (offsets: readonly number[]): Float64Array => {
      let array = offsetArrays.find((candidate) => sameNumbers(candidate, offsets));
      if (array === undefined) {
        array = Float64Array.from(offsets);
        offsetArrays.push(array);
      }
      return array;
    };
    return this.drafts.map((draft) => {
      const shared = made.find((entry) => sameRowObjects(entry.rows, draft.rows))?.labels;
      const labels = shared ?? earlier.take(draft.family, draft.rows);
      if (shared === undefined) made.push({ rows: draft.rows, labels });
      const constants = draft.constants.slice();
      if (draft.reading === undefined) return { family: draft.family, labels, constants };
      return {
        family: draft.family,
        labels,
        constants,
        counters: { reading: draft.reading, offsets: offsetsOf(draft.offsets), kinds: oneKind(draft.kinds) ?? Uint8Array.from(draft.kinds) },
      };
    });
  }

  private draft(family: MetricFamily, reading: CounterReading | undefined): Draft {
    const draft: Draft = { family, reading, rows: [], constants: [], offsets: [], kinds: [] };
    this.drafts.push(draft);
    this.lastOfFamily.set(family, draft);
    return draft;
  }

  private add(draft: Draft, labels: readonly string[], value: number, offset: number, kind: number): void {
    draft.rows.push(labels);
    draft.constants.push(value);
    draft.offsets.push(offset);
    draft.kinds.push(kind);
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
    const candidates = this.byFamily.get(family);
    const index = candidates?.findIndex((earlier) => sameRowValues(earlier, rows)) ?? -1;
    // rows are kept between scrapes (120,000 of them at 1,000 routers): an exact-length copy
    if (candidates === undefined || index === -1) return rows.slice();
    return candidates.splice(index, 1)[0] as LabelRows;
  }
}

/** This scrape's reading of a template's counters: a binary reading's bytes, or a text's numbers. */
export type CounterValues =
  | { readonly view: DataView }
  | { readonly numbers: Float64Array; readonly kept: KeptTextShape };

/** This scrape's series of a template: the parse's values, with counters read from this reading. */
export function fillTemplate(template: SeriesTemplate, source: CounterValues | undefined): SeriesGroup {
  const { counters } = template;
  // nothing moves: the very same values array (exposition only reads it)
  if (counters === undefined || source === undefined) return { family: template.family, labels: template.labels, values: template.constants };
  if (!('view' in source)) {
    const values = template.constants.slice();
    const { offsets } = counters;
    for (let i = 0; i < offsets.length; i++) {
      const offset = offsets[i] as number;
      if (offset !== CONSTANT) values[i] = source.numbers[numberIndex(source.kept, offset)] as number;
    }
    return { family: template.family, labels: template.labels, values };
  }
  const { view } = source;
  const layout = counters.reading.layout;
  if (layout.kind !== 'binary') throw new Error('a binary reading for a text template');
  // A copy of the constants with the counters read over them: a plain array, because a new
  // Float64Array of this size has its bytes outside the heap and cost about 1.5 µs to make, against
  // 0.2-0.35 µs for the copy and the reads (five a namespace, 5,000 a scrape at 1,000 routers).
  const values = template.constants.slice();
  const { offsets, kinds } = counters;
  for (let i = 0; i < offsets.length; i++) {
    const offset = offsets[i] as number;
    if (offset !== CONSTANT) values[i] = layout.readCounter(view, offset, typeof kinds === 'number' ? kinds : (kinds[i] as number));
  }
  return { family: template.family, labels: template.labels, values };
}

/** The template's series as the cold path made them: the values are the parse's. */
export function templateSeries(template: SeriesTemplate): SeriesGroup {
  return { family: template.family, labels: template.labels, values: template.constants };
}

/** The kind every counter has, or undefined when they differ. */
function oneKind(kinds: readonly number[]): number | undefined {
  const first = kinds[0] ?? 0;
  return kinds.every((kind) => kind === first) ? first : undefined;
}

function sameNumbers(a: Float64Array, b: readonly number[]): boolean {
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
    const x = a[i] as readonly string[];
    const y = b[i] as readonly string[];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
