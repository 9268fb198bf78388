// Lists alike in many namespaces' templates are made once a scrape, and never shared across two
// different lists. No root needed.

import { describe, expect, test } from 'vitest';
import { family } from '../../src/model/snapshot.js';
import { SharedLists } from '../../src/pipeline/shared-lists.js';

describe('shared lists', () => {
  test('equal number lists get one array, a copy of their own; another list another', () => {
    const lists = new SharedLists();
    const given = [0, 1, 2];
    const first = lists.numbers(given);
    given.push(3); // the caller's list may change later: the shared one does not
    expect(lists.numbers([0, 1, 2])).toBe(first);
    expect(first).toEqual([0, 1, 2]);
    expect(lists.numbers([0, 1, 3])).not.toBe(first);
    expect(lists.numbers([0, 12])).not.toBe(lists.numbers([0, 1, 2]));
  });

  test('family lists are shared only for the same family objects', () => {
    const lists = new SharedLists();
    const a = family('test_a', 'gauge', 'a', ['netns']);
    const b = family('test_b', 'gauge', 'b', ['netns']);
    const first = lists.families([a, b]);
    expect(lists.families([a, b])).toBe(first);
    // another object of the same name (another exporter's declaration): not the same list
    const otherA = family('test_a', 'gauge', 'a', ['netns']);
    const other = lists.families([otherA, b]);
    expect(other).not.toBe(first);
    expect(other[0]).toBe(otherA);
  });

  test('a scrape ends: later lists are made anew', () => {
    const lists = new SharedLists();
    const first = lists.numbers([4, 5]);
    lists.rotate();
    const later = lists.numbers([4, 5]);
    expect(later).not.toBe(first);
    expect(later).toEqual(first);
  });
});
