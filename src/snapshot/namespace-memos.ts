// What each collector kept from the last scrape of each namespace (see CollectorOutput.memo), held
// by the exporter from one scrape to the next. A scrape starts with the memos of the one before and
// ends with only those of the namespaces it read, so a deleted namespace's memos go with it.

import type { NetnsRef } from '../discovery/netns-ref.js';

/** The same file in the same place under the same name: a recreated namespace starts afresh. */
function memoKey(ns: NetnsRef): string {
  return `${ns.dev}:${ns.inode}:${ns.name}`;
}

export class NamespaceMemos {
  private previous = new Map<string, Map<string, unknown>>();
  private next = new Map<string, Map<string, unknown>>();

  /** What `collector` kept last scrape for `ns`. */
  get(ns: NetnsRef, collector: string): unknown {
    return this.previous.get(memoKey(ns))?.get(collector);
  }

  /** Keeps `memo` for the next scrape; a collector that keeps nothing for a namespace loses its old memo. */
  keep(ns: NetnsRef, collector: string, memo: unknown): void {
    if (memo === undefined) return;
    const key = memoKey(ns);
    let own = this.next.get(key);
    if (own === undefined) {
      own = new Map();
      this.next.set(key, own);
    }
    own.set(collector, memo);
  }

  /** Ends a scrape: what was kept during it is what the next one sees. */
  rotate(): void {
    this.previous = this.next;
    this.next = new Map();
  }
}
