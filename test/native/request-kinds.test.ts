// The request kinds and job stages have one name on each side: request_kind and job_stage in C
// (native/src/requests.h, pool.h), RequestKind and JobStage in TypeScript (readers/native/load-addon.ts).
// The addon exports its tables, and here they must be ours, name for name and value for value; a
// kind outside the table is refused at submit. No root needed, only the built addon.

import { afterAll, describe, expect, test } from 'vitest';
import { JobStage, RequestKind, tableMismatches, type AddonRequest, type PoolHandle } from '../../src/readers/native/load-addon.js';
import { builtAddon, skipUnless } from '../support/gates.js';

const { addon, reason } = builtAddon();

describe.skipIf(skipUnless(addon !== undefined, 'native request kinds', reason))('request kinds and job stages (native addon)', () => {
  test('the addon names the same request kinds, with the same values', () => {
    expect({ ...addon?.requestKinds }).toEqual(RequestKind);
    expect(tableMismatches(RequestKind, addon?.requestKinds)).toEqual([]);
  });

  test('the addon names the same job stages, with the same values', () => {
    expect({ ...addon?.jobStages }).toEqual(JobStage);
    expect(tableMismatches(JobStage, addon?.jobStages)).toEqual([]);
  });

  test("the addon's tables cannot be changed from JavaScript", () => {
    expect(Object.isFrozen(addon?.requestKinds)).toBe(true);
    expect(Object.isFrozen(addon?.jobStages)).toBe(true);
  });

  describe('submit', () => {
    const pool = addon?.createPool(1, 1000, () => undefined) as PoolHandle;
    afterAll(() => addon?.destroyPool(pool));
    const submit = (requests: readonly unknown[]): void => addon?.submit(pool, 1, '/proc/self/ns/net', requests as readonly AddonRequest[]);

    test('refuses a kind that is in neither table', () => {
      const unknown = Math.max(...Object.values(RequestKind)) + 1;
      expect(() => submit([[unknown, '/proc/thread-self/net/dev']])).toThrow(/unknown request kind/);
      expect(() => submit([[0, '/proc/thread-self/net/dev']])).toThrow(/unknown request kind/);
    });

    test('takes each kind with the arguments its name says', () => {
      // netlink with a malformed message and xtables with a bad family fail their own checks, which
      // shows the kind was recognized (not refused as unknown)
      expect(() => submit([[RequestKind.netlink, 0, Buffer.from([1, 2, 3])]])).toThrow(/netlink request messages are malformed/);
      expect(() => submit([[RequestKind.xtables, 5]])).toThrow(/xtables request needs family 4 or 6/);
      expect(() => submit([[RequestKind.tc, 0, Buffer.from([1, 2, 3])]])).toThrow(/netlink request messages are malformed/);
      expect(() => submit([[RequestKind.readFile, '/etc/shadow']])).toThrow(/file request path must be/);
    });
  });
});

test('a table that differs is named where it differs', () => {
  expect(tableMismatches(RequestKind, { readFile: 1, netlink: 3, xtables: 2, tc: 4 })).toEqual(['netlink', 'xtables']);
  expect(tableMismatches(RequestKind, { readFile: 1, netlink: 2, tc: 4 })).toEqual(['xtables']);
  expect(tableMismatches(RequestKind, { ...RequestKind, sockets: 5 })).toEqual(['sockets']);
  expect(tableMismatches(RequestKind, undefined)).toEqual(['readFile', 'netlink', 'xtables', 'tc']);
});
