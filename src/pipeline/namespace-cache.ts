// What the pipeline keeps of each namespace from one scrape to the next: the shape of each reading
// that has a layout (to tell "same records, new counters" from "parse again"), each collector's
// templates, and what a collector carries over itself (the HA role it last saw). Owned by the
// exporter and handed to every scrape; a scrape starts with what the one before kept and ends with
// only what it read, so a deleted namespace's state goes with it.

import type { NetnsRef } from '../model/netns-ref.js';
import type { BinaryLayout } from '../sources/source.js';
import type { KeptShape } from './reading-shape.js';
import type { KeptTextShape } from './text-shape.js';
import type { SeriesTemplate } from './series-templates.js';
import { SharedLists } from './shared-lists.js';
import { SharedTexts } from './shared-texts.js';
import type { SeriesGroup } from '../model/snapshot.js';

/**
 * A reading kept to compare later ones with, and when it was kept: `generation` changes whenever a
 * reading is kept anew, so templates made from another shape are known to be stale.
 */
export type KeptReading =
  /** A binary layout's reading: its bytes, counters aside. */
  | { readonly kind: 'binary'; readonly shape: KeptShape; readonly layout: BinaryLayout<unknown>; readonly generation: number }
  /** NUMBERS_IN_TEXT: the words around the numbers. */
  | { readonly kind: 'text'; readonly text: KeptTextShape; readonly generation: number };

/** For each source a collector declared: absent, or the kept reading (key and generation) it was made from. */
export type InputMemo = { readonly kind: 'absent' } | { readonly kind: 'kept'; readonly key: number; readonly generation: number };

export type CollectorMemo =
  /**
   * The templates can be refilled from later readings of the same shape: the collection had no
   * failure and every input it read was kept (had a layout: binary, or /proc text).
   */
  | {
      readonly kind: 'refillable';
      readonly inputs: readonly InputMemo[];
      readonly templates: readonly SeriesTemplate[];
      /** What the templates gave last scrape, one group each: handed out again where no counter moved. */
      readonly series: readonly SeriesGroup[];
    }
  /** The collector runs again next scrape; its templates only lend their label rows (TemplateBuilder.finish). */
  | { readonly kind: 'collect-again'; readonly templates: readonly SeriesTemplate[] };

export class NamespaceState {
  /** By reading key (readers/reader.ts): the keys of one plan are the same every scrape. */
  readonly readings: (KeptReading | undefined)[] = [];
  /** By the collector's position in the plan. */
  readonly collectors: (CollectorMemo | undefined)[] = [];
  /** What each collector carries to its next run here (CollectContext.carried), by its position in the plan. */
  readonly carried: unknown[] = [];
}

/** The same file in the same place under the same name: a recreated namespace starts afresh. */
function stateKey(ns: NetnsRef): string {
  return `${ns.dev}:${ns.inode}:${ns.name}`;
}

export class NamespaceCache {
  private previous = new Map<string, NamespaceState>();
  private next = new Map<string, NamespaceState>();
  private generations = 0;
  /** Scrapes ended (rotate): the number of the scrape in progress, as text shapes record it (KeptTextShape.readIn). */
  private scrapes = 0;
  /** Kept texts equal in many namespaces, kept once. */
  readonly texts = new SharedTexts();
  /** Lists equal in many namespaces' templates made this scrape, made once. */
  readonly lists = new SharedLists();
  /** Arrays the numbers of text readings are read into, reused from namespace to namespace (see scratch). */
  private readonly scratches: Float64Array[] = [];

  /** The state the last scrape left for `ns` (if any), and a new one this scrape fills for the next. */
  open(ns: NetnsRef): { readonly last: NamespaceState | undefined; readonly next: NamespaceState } {
    const key = stateKey(ns);
    const next = new NamespaceState();
    this.next.set(key, next);
    return { last: this.previous.get(key), next };
  }

  /** A generation number no kept reading has had. */
  /** The scrape in progress; the one before it made the state `open` returns as `last`. */
  get scrape(): number {
    return this.scrapes;
  }

  newGeneration(): number {
    return ++this.generations;
  }

  /**
   * A Float64Array of at least `length` for the reading of key `key` of the namespace being
   * collected: namespaces are collected one at a time, and their numbers are copied into the series
   * before the next one starts, so one set of arrays serves a whole scrape (a new array per reading
   * had its bytes outside the heap, and thousands of them a scrape drove full garbage collections).
   */
  scratch(key: number, length: number): Float64Array {
    let array = this.scratches[key];
    if (array === undefined || array.length < length) {
      array = new Float64Array(Math.max(length, 2 * (array?.length ?? 0)));
      this.scratches[key] = array;
    }
    return array;
  }

  /** Ends a scrape: what it kept is what the next one sees. */
  rotate(): void {
    this.scrapes++;
    this.texts.rotate();
    this.lists.rotate();
    this.previous = this.next;
    this.next = new Map();
  }
}
