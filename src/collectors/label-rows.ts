// Label rows that stay the same object while their values stay the same, so that exposition can keep
// what it rendered for them (see SeriesGroup). A collector keeps the last rows it made per kind, in
// its memo, and asks for them again with the values of this scrape.

import type { LabelRows } from '../snapshot/model.js';

/** Rows for `values`, reusing `previous` when it holds exactly these values in this order. */
export function sameOrNewRows(previous: LabelRows | undefined, values: readonly (readonly string[])[]): LabelRows {
  if (previous !== undefined && rowsEqual(previous, values)) return previous;
  return values;
}

function rowsEqual(a: LabelRows, b: LabelRows): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as readonly string[];
    const y = b[i] as readonly string[];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** Distinct label values kept for sharing; beyond this many the table starts afresh. */
const INTERNED_LIMIT = 100_000;
let interned = new Map<string, string>();

/**
 * One string object for equal label values: a thousand routers carry the same chain names, targets
 * and comments, each decoded from its own bytes, and the label rows kept between scrapes would
 * otherwise hold a copy per router.
 */
export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERNED_LIMIT) interned = new Map();
  interned.set(value, value);
  return value;
}
