// What the pipeline keeps of each namespace from one scrape to the next: the shape of each binary
// reading (to tell "same records, new counters" from "parse again") and each collector's templates.
// Owned by the exporter and handed to every scrape; a scrape starts with what the one before kept and
// ends with only what it read, so a deleted namespace's state goes with it.

import type { NetnsRef } from '../model/netns-ref.js';
import type { ReadingLayout } from '../sources/source.js';
import type { KeptShape } from './reading-shape.js';
import type { KeptTextShape } from './text-shape.js';
import type { SeriesTemplate } from './series-templates.js';

/** A reading kept to compare later ones with (as bytes, or as text's words), and when it was kept. */
export interface KeptReading {
  /** Binary layouts: the bytes, counters aside. */
  readonly shape?: KeptShape;
  /** NUMBERS_IN_TEXT: the words around the numbers. */
  readonly text?: KeptTextShape;
  readonly layout: ReadingLayout<unknown>;
  /** Changes whenever the reading is kept anew: templates made from another shape are stale. */
  readonly generation: number;
}

/** For each source a collector declared: absent, or the reading (key and generation) it was made from. */
export type InputMemo = { readonly present: false } | { readonly present: true; readonly key: object; readonly generation: number | undefined };

export interface CollectorMemo {
  readonly inputs: readonly InputMemo[];
  readonly templates: readonly SeriesTemplate[];
  /**
   * The templates can be refilled from later readings of the same shape: the collection had no
   * failure and every input it read has a layout (binary, or /proc text refilled in place; a reading
   * without one has no counters at known offsets).
   */
  readonly refillable: boolean;
}

export class NamespaceState {
  /** Keyed by what identifies a read across scrapes (see readingKey in collect-namespace.ts). */
  readonly readings = new Map<object, KeptReading>();
  readonly collectors = new Map<string, CollectorMemo>();
}

/** The same file in the same place under the same name: a recreated namespace starts afresh. */
function stateKey(ns: NetnsRef): string {
  return `${ns.dev}:${ns.inode}:${ns.name}`;
}

export class NamespaceCache {
  private previous = new Map<string, NamespaceState>();
  private next = new Map<string, NamespaceState>();
  private generations = 0;
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
  newGeneration(): number {
    return ++this.generations;
  }

  /**
   * A Float64Array of at least `length` for the `index`-th text reading of the namespace being
   * collected: namespaces are collected one at a time, and their numbers are copied into the series
   * before the next one starts, so one set of arrays serves a whole scrape (a new array per reading
   * had its bytes outside the heap, and thousands of them a scrape drove full garbage collections).
   */
  scratch(index: number, length: number): Float64Array {
    let array = this.scratches[index];
    if (array === undefined || array.length < length) {
      array = new Float64Array(Math.max(length, 2 * (array?.length ?? 0)));
      this.scratches[index] = array;
    }
    return array;
  }

  /** Ends a scrape: what it kept is what the next one sees. */
  rotate(): void {
    this.previous = this.next;
    this.next = new Map();
  }
}
