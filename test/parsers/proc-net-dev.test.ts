import { describe, expect, test } from 'vitest';
import type { NetDevRecord } from '../../src/model/records/net-dev.js';
import { parseProcNetDev } from '../../src/parsers/proc-net-dev.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

// Builds a record from the 16 numbers exactly as they stand in a /proc/net/dev row, so each
// expectation below can be checked against the fixture line by eye.
function row(device: string, ...c: number[]): NetDevRecord {
  const [rb, rp, re, rd, rf, rfr, rc, rm, tb, tp, te, td, tf, tco, tca, tc] = c as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    device,
    receive: { bytes: rb, packets: rp, errs: re, drop: rd, fifo: rf, frame: rfr, compressed: rc, multicast: rm },
    transmit: { bytes: tb, packets: tp, errs: te, drop: td, fifo: tf, colls: tco, carrier: tca, compressed: tc },
  };
}
const idle = (device: string) => row(device, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

const HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';

interface Case {
  readonly name: string;
  readonly input: string;
  /** Every record, in file order. */
  readonly records?: readonly NetDevRecord[];
  /** Only the device names, in file order, plus a few records checked in full. */
  readonly devices?: readonly string[];
  readonly someRecords?: readonly NetDevRecord[];
  readonly error?: RegExp;
}

const cases: readonly Case[] = [
  {
    name: 'Neutron router: lo, qg- and qr- veths after traffic',
    input: readFixture('proc-net-dev/neutron-router.txt'),
    records: [
      idle('lo'),
      row('qg-5a7c2e1f-3b', 12323441, 8811, 0, 0, 0, 0, 0, 0, 12323015, 8802, 0, 0, 0, 0, 0, 0),
      row('qr-8c01d2e5-a9', 1337, 19, 0, 0, 0, 0, 0, 0, 1513, 17, 0, 0, 0, 0, 0, 0),
    ],
  },
  {
    name: '15-character name wider than the %6s column, 8-digit counters',
    input: readFixture('proc-net-dev/long-name-big-counters.txt'),
    records: [idle('lo'), row('ext-uplink-0015', 12323015, 8802, 0, 0, 0, 0, 0, 0, 12323441, 8811, 0, 0, 0, 0, 0, 0)],
  },
  {
    name: 'fresh namespace: only lo',
    input: readFixture('proc-net-dev/fresh-netns.txt'),
    records: [idle('lo')],
  },
  {
    name: 'hostile names: quotes, $, backslash, UTF-8, a control character',
    input: readFixture('proc-net-dev/hostile-names.txt'),
    devices: [
      'lo',
      'q"uote',
      'd$(x)',
      'back\\sl',
      'é-ü-名',
      "'single'",
      'a*b?',
      '-j',
      'x;y|z',
      '#hash',
      'a\u0001b',
      'abcdefghijklmno',
      'tun0',
    ],
    someRecords: [
      row('q"uote', 0, 0, 0, 0, 0, 0, 0, 0, 328, 4, 0, 0, 0, 0, 0, 0),
      row('é-ü-名', 0, 0, 0, 0, 0, 0, 0, 0, 250, 3, 0, 0, 0, 0, 0, 0),
      row('abcdefghijklmno', 0, 0, 0, 0, 0, 0, 0, 0, 274, 3, 0, 0, 0, 0, 0, 0),
    ],
  },
  {
    name: 'no blank between the colon and a counter that fills its column (hand-cut from long-name-big-counters)',
    input: `${HEADER}ext-uplink-0015:12323015    8802    0    0    0     0          0         0 12323441    8811    0    0    0     0       0          0\n`,
    records: [row('ext-uplink-0015', 12323015, 8802, 0, 0, 0, 0, 0, 0, 12323441, 8811, 0, 0, 0, 0, 0, 0)],
  },
  {
    name: 'no trailing newline',
    input: `${HEADER}    lo:       1       2    0    0    0     0          0         0        3       4    0    0    0     0       0          0`,
    records: [row('lo', 1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0)],
  },
  {
    name: 'truncated row',
    input: readFixture('proc-net-dev/broken-truncated-row.txt'),
    error: /line 5 \(qr-8c01d2e5-a9\): 9 counters, expected 16/,
  },
  { name: 'missing colon', input: readFixture('proc-net-dev/broken-missing-colon.txt'), error: /line 4: no ':'/ },
  {
    name: 'garbage counter',
    input: readFixture('proc-net-dev/broken-garbage-counter.txt'),
    error: /line 4 \(qg-5a7c2e1f-3b\): counter '88x1' is not a decimal number/,
  },
  { name: 'empty interface name', input: readFixture('proc-net-dev/broken-empty-name.txt'), error: /line 3: empty interface name/ },
  { name: 'header missing', input: readFixture('proc-net-dev/broken-no-header.txt'), error: /line 1: expected the 'Inter-\|' header/ },
  { name: 'empty input', input: '', error: /line 1: expected the 'Inter-\|' header/ },
  {
    name: 'columns renamed in the header',
    input: HEADER.replace('colls', 'collisions'),
    error: /line 2: unexpected columns/,
  },
];

describe('parseProcNetDev', () => {
  test.each(cases)('$name', (c) => {
    const value = expectParse(parseProcNetDev(c.input), c.error);
    if (value === undefined) return;
    if (c.records !== undefined) expect(value).toEqual(c.records);
    if (c.devices !== undefined) expect(value.map((r) => r.device)).toEqual(c.devices);
    for (const expected of c.someRecords ?? []) {
      expect(value.find((r) => r.device === expected.device)).toEqual(expected);
    }
  });
});
