// The HA role history as the neutron_ha collector keeps it (collectors/neutron-ha-history.ts): each
// case feeds the state files the exporter reads scrape after scrape (role, mtime) and states the
// history it must hold after each. No root, no files: the pure transition.

import { describe, expect, test } from 'vitest';
import { HaRoleHistory, nextHaRoleHistory } from '../../src/collectors/neutron-ha-history.js';
import type { HaState } from '../../src/model/records/neutron-ha.js';

type Seen = readonly [state: HaState, modifiedSeconds: number];
type Held = readonly [state: HaState, changedSeconds: number, changes: number];

const cases: readonly { name: string; files: readonly Seen[]; held: readonly Held[] }[] = [
  {
    name: 'first sight: the role, the file mtime, no change',
    files: [['backup', 1000]],
    held: [['backup', 1000, 0]],
  },
  {
    name: 'a failover and back: two changes, each at its write',
    files: [
      ['backup', 1000],
      ['primary', 1060],
      ['backup', 1200],
    ],
    held: [
      ['backup', 1000, 0],
      ['primary', 1060, 1],
      ['backup', 1200, 2],
    ],
  },
  {
    name: 'the agent rewrites the same role (restart): the mtime moves, the change time does not',
    files: [
      ['primary', 1000],
      ['backup', 1100],
      ['backup', 5000],
    ],
    held: [
      ['primary', 1000, 0],
      ['backup', 1100, 1],
      ['backup', 1100, 1],
    ],
  },
  {
    name: 'an empty file (read between truncate and write) is no role: no change either way',
    files: [
      ['primary', 1000],
      ['unknown', 1050],
      ['primary', 1050],
    ],
    held: [
      ['primary', 1000, 0],
      ['primary', 1000, 0],
      ['primary', 1000, 0],
    ],
  },
  {
    name: 'an empty file between two roles: one change, at the second write',
    files: [
      ['primary', 1000],
      ['unknown', 1050],
      ['backup', 1051],
    ],
    held: [
      ['primary', 1000, 0],
      ['primary', 1000, 0],
      ['backup', 1051, 1],
    ],
  },
  {
    name: 'empty on first sight: the first role named is learnt, not a change',
    files: [
      ['unknown', 900],
      ['backup', 1000],
      ['primary', 1100],
    ],
    held: [
      ['unknown', 900, 0],
      ['backup', 1000, 0],
      ['primary', 1100, 1],
    ],
  },
  {
    name: 'fault is a role like the others',
    files: [
      ['primary', 1000],
      ['fault', 1010],
      ['backup', 1020],
    ],
    held: [
      ['primary', 1000, 0],
      ['fault', 1010, 1],
      ['backup', 1020, 2],
    ],
  },
];

describe('nextHaRoleHistory', () => {
  for (const c of cases) {
    test(c.name, () => {
      let history: HaRoleHistory | undefined;
      const held = c.files.map(([state, modifiedSeconds]) => {
        history = nextHaRoleHistory(history, { state, modifiedSeconds });
        return [history.state, history.changedSeconds, history.changes];
      });
      expect(held).toEqual(c.held);
    });
  }

  test('an unchanged role keeps the very same history (nothing new is made per scrape)', () => {
    const first = nextHaRoleHistory(undefined, { state: 'primary', modifiedSeconds: 1000 });
    expect(nextHaRoleHistory(first, { state: 'primary', modifiedSeconds: 2000 })).toBe(first);
  });
});
