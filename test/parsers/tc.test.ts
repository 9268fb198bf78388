// tc records from both backends' inputs, captured at the same moment in a lab router
// (test/fixtures/tc, SOURCES.md): the tc source's exec script output (`tc -s -j qdisc show`, then
// `tc -s -j filter show dev qg-tc ingress`) and the native answer (link, qdisc and ingress filter
// dumps). Broken variants are cut from them.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { TcTable } from '../../src/model/records/tc.js';
import { parseRtnetlinkTc } from '../../src/parsers/netlink/rtnetlink-tc.js';
import { filterHandle, qdiscHandle, tcClassid } from '../../src/parsers/tc-handles.js';
import { parseTcScriptOutput } from '../../src/parsers/tc-json.js';
import { expectParse } from './expect-parse.js';

const bytes = (name: string): Buffer => readFileSync(new URL(`../fixtures/tc/${name}`, import.meta.url));
const text = (name: string): string => bytes(name).toString('utf8');

const zeroQueue = { requeues: 0, backlog: 0, qlen: 0 };
// Read off the captured JSON: what capture-tc.ts set up and the traffic it sent (6 UDP to :9, 4 to
// :7 and 3 to :6 from the peer, 5 out of the router to the peer)
const ROUTER: TcTable = {
  qdiscs: [
    { device: 'qg-tc', kind: 'htb', handle: '1:', parent: 'root', bytes: 894, packets: 12, drops: 0, overlimits: 0, ...zeroQueue },
    { device: 'qg-tc', kind: 'bfifo', handle: '10:', parent: '1:10', bytes: 894, packets: 12, drops: 0, overlimits: 0, ...zeroQueue },
    // the 4 + 3 redirected to the device that is down
    {
      device: 'qg-tc',
      kind: 'ingress',
      handle: 'ffff:',
      parent: 'ffff:fff1',
      bytes: 1118,
      packets: 19,
      drops: 7,
      overlimits: 0,
      ...zeroQueue,
    },
    { device: 'm-up', kind: 'noqueue', handle: '0:', parent: 'root', bytes: 0, packets: 0, drops: 0, overlimits: 0, ...zeroQueue },
  ],
  actions: [
    {
      device: 'qg-tc',
      parent: 'ffff:',
      pref: 5,
      filterKind: 'u32',
      handle: '800::800',
      action: 'mirred',
      order: 1,
      bytes: 360,
      packets: 6,
      drops: 0,
      overlimits: 0,
    },
    {
      device: 'qg-tc',
      parent: 'ffff:',
      pref: 6,
      filterKind: 'u32',
      handle: '802::800',
      action: 'mirred',
      order: 1,
      bytes: 180,
      packets: 3,
      drops: 0,
      overlimits: 0,
    },
    {
      device: 'qg-tc',
      parent: 'ffff:',
      pref: 6,
      filterKind: 'u32',
      handle: '802::800',
      action: 'mirred',
      order: 2,
      bytes: 180,
      packets: 3,
      drops: 0,
      overlimits: 3,
    },
    {
      device: 'qg-tc',
      parent: 'ffff:',
      pref: 7,
      filterKind: 'u32',
      handle: '801::800',
      action: 'mirred',
      order: 1,
      bytes: 240,
      packets: 4,
      drops: 0,
      overlimits: 4,
    },
    {
      device: 'qg-tc',
      parent: 'ffff:',
      pref: 49152,
      filterKind: 'u32',
      handle: '803::800',
      action: 'mirred',
      order: 1,
      bytes: 338,
      packets: 6,
      drops: 0,
      overlimits: 0,
    },
  ],
};

const sortActions = (table: TcTable): TcTable => ({
  ...table,
  actions: [...table.actions].sort((a, b) => a.pref - b.pref || a.order - b.order),
});

describe('both backends read the same tc records', () => {
  const cases = [
    { name: 'router: htb, bfifo, ingress with u32 + mirred', fixture: 'router' },
    { name: 'peer: tbf', fixture: 'peer' },
    { name: 'fresh namespace: nothing', fixture: 'fresh' },
  ] as const;
  for (const c of cases) {
    test(c.name, () => {
      const exec = expectParse(parseTcScriptOutput(text(`${c.fixture}.tc-script.txt`)), undefined);
      const native = expectParse(parseRtnetlinkTc(bytes(`${c.fixture}.tc.rtnetlink.bin`)), undefined);
      expect(native).toEqual(exec);
    });
  }

  test('the router, record by record', () => {
    const exec = expectParse(parseTcScriptOutput(text('router.tc-script.txt')), undefined);
    expect(exec && sortActions(exec)).toEqual(ROUTER);
  });

  test('the peer: one tbf and the noqueue of the mirror target', () => {
    const exec = expectParse(parseTcScriptOutput(text('peer.tc-script.txt')), undefined);
    expect(exec?.qdiscs.map((q) => [q.device, q.kind, q.handle, q.parent])).toEqual([
      ['ext-tc', 'tbf', '8004:', 'root'],
      ['m-peer', 'noqueue', '0:', 'root'],
    ]);
    expect(exec?.actions).toEqual([]);
  });
});

describe('broken input is a parse failure, never zeros', () => {
  const router = text('router.tc-script.txt');
  const [qdiscLine = '', header = '', filterLine = ''] = router.split('\n');
  const cases = [
    { name: 'no output at all', input: '', error: /no output/ },
    { name: 'qdiscs without -s counters', input: qdiscLine.replaceAll(/,"bytes":\d+/g, ''), error: /"bytes" missing/ },
    { name: 'not JSON', input: qdiscLine.slice(0, 100), error: /not JSON/ },
    { name: 'filters missing after their header', input: `${qdiscLine}\n${header}\n`, error: /filters of qg-tc are missing/ },
    { name: 'a stray line instead of a header', input: `${qdiscLine}\nhello\n${filterLine}\n`, error: /expected "ingress-filters/ },
    {
      name: 'an action without stats',
      input: `${qdiscLine}\n${header}\n${filterLine.replaceAll(/"stats":\{[^}]*\}/g, '"x":1')}\n`,
      error: /without "stats"/,
    },
    { name: 'a negative count', input: qdiscLine.replace('"drops":0', '"drops":-1'), error: /"drops" missing or not a count/ },
  ];
  for (const c of cases) test(`exec: ${c.name}`, () => expectParse(parseTcScriptOutput(c.input), c.error));

  const native = bytes('router.tc.rtnetlink.bin');
  test('native: truncated in the middle of a message', () => {
    expectParse(parseRtnetlinkTc(native.subarray(0, native.length - 30)), /does not fit|trailing bytes/);
  });
  test('native: the link dump alone', () => {
    // the first NLMSG_DONE ends the link dump: cut right after it
    let done = -1;
    for (let offset = 0; offset < native.length; offset += (native.readUInt32LE(offset) + 3) & ~3) {
      if (native.readUInt16LE(offset + 4) === 3) {
        done = offset + native.readUInt32LE(offset);
        break;
      }
    }
    expect(done).toBeGreaterThan(0);
    expectParse(parseRtnetlinkTc(native.subarray(0, done)), /1 of at least 2 dumps complete/);
  });
});

describe('handles as tc spells them', () => {
  test.each([
    [0x00010000, '1:'],
    [0xffff0000, 'ffff:'],
    [0, '0:'],
    [0x80040000, '8004:'],
  ])('qdisc handle %s', (handle, expected) => expect(qdiscHandle(handle)).toBe(expected));
  test.each([
    [0xffffffff, 'root'],
    [0xfffffff1, 'ffff:fff1'],
    [0x00010010, '1:10'],
    [0xffff0000, 'ffff:'],
    [0x00000001, ':1'],
    [0, ''],
  ])('class id %s', (id, expected) => expect(tcClassid(id)).toBe(expected));
  test.each([
    ['u32', 0x80000800, '800::800'],
    ['u32', 0x80000000, '800:'],
    ['u32', 0x80001800, '800:1:800'],
    ['u32', 0, 'none'],
    ['matchall', 1, '0x1'],
  ])('%s filter handle %s', (kind, handle, expected) => expect(filterHandle(kind, handle)).toBe(expected));
});
