// Lists that the templates of many namespaces have alike, made once a scrape: where a template's
// counters are (the same numbers of the same texts and dumps on every router of a host) and which
// families a row holds. Templates never change them, so one array serves every template that has an
// equal one. Kept for one scrape only: the first scrape after a start makes every template, and a
// later one the few it parses again; what templates hold stays theirs when the table is cleared.

import type { MetricFamily } from '../model/snapshot.js';

export class SharedLists {
  private numberLists = new Map<string, readonly number[]>();
  private familyLists = new Map<string, readonly MetricFamily[]>();

  /** An array equal to `list`, the same one for every equal list this scrape. */
  numbers(list: readonly number[]): readonly number[] {
    const key = list.join(',');
    let shared = this.numberLists.get(key);
    if (shared === undefined) {
      shared = list.slice();
      this.numberLists.set(key, shared);
    }
    return shared;
  }

  /** An array of the same family objects as `list`, the same one for every such list this scrape. */
  families(list: readonly MetricFamily[]): readonly MetricFamily[] {
    const key = list.map((family) => family.name).join('\n');
    const shared = this.familyLists.get(key);
    if (shared?.length === list.length && shared.every((family, i) => family === list[i])) return shared;
    const made = list.slice();
    this.familyLists.set(key, made);
    return made;
  }

  /** Ends a scrape. */
  rotate(): void {
    this.numberLists = new Map();
    this.familyLists = new Map();
  }
}
