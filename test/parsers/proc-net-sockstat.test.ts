// /proc/net/sockstat{,6} captured in the router and a fresh namespace (test/fixtures/diagnostics),
// plus hand-cut copies. Names are node_exporter's node_sockstat_<proto>_<field>.
import { describe, expect, test } from 'vitest';
import type { SockstatRecord } from '../../src/model/records/sockstat.js';
import { parseProcNetSockstat } from '../../src/parsers/proc-net-sockstat.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

const PAGE_SIZE = 4096;
const names = (records: readonly SockstatRecord[]): Record<string, number> =>
  Object.fromEntries(records.map((r) => [`${r.proto}_${r.field}`, r.value]));

const cases = [
  {
    name: 'router sockstat',
    fixture: 'router.sockstat.txt',
    want: {
      sockets_used: 4,
      TCP_inuse: 0,
      TCP_orphan: 0,
      TCP_tw: 0,
      TCP_alloc: 4,
      TCP_mem: 0,
      TCP_mem_bytes: 0,
      UDP_inuse: 0,
      UDP_mem: 0,
      UDP_mem_bytes: 0,
      UDPLITE_inuse: 0,
      RAW_inuse: 0,
      FRAG_inuse: 0,
      FRAG_memory: 0,
    },
  },
  {
    name: 'router sockstat6: the dual-stack listener and its two connections',
    fixture: 'router.sockstat6.txt',
    want: { TCP6_inuse: 3, UDP6_inuse: 0, UDPLITE6_inuse: 0, RAW6_inuse: 0, FRAG6_inuse: 0, FRAG6_memory: 0 },
  },
  { name: 'fresh namespace: no sockets', fixture: 'fresh.sockstat.txt', some: { sockets_used: 0, TCP_inuse: 0 } },
  {
    name: 'hand-cut: TCP mem 3 pages',
    fixture: 'hand-tcp-mem-3.sockstat.txt',
    some: { TCP_mem: 3, TCP_mem_bytes: 3 * PAGE_SIZE, UDP_mem_bytes: 0 },
  },
  { name: 'broken: a key without value', fixture: 'broken-odd-pairs.sockstat.txt', error: /^line 2: TCP: expected key\/value pairs/ },
  {
    name: 'broken: a value not a number',
    fixture: 'broken-garbage-value.sockstat.txt',
    error: /^line 3: UDP inuse: "zero" is not an integer$/,
  },
  { name: 'broken: no colon after the protocol', fixture: 'broken-no-colon.sockstat.txt', error: /^line 5: expected "PROTO:" first/ },
] as const;

describe('parseProcNetSockstat', () => {
  for (const c of cases) {
    test(c.name, () => {
      const records = expectParse(
        parseProcNetSockstat(readFixture(`diagnostics/${c.fixture}`), PAGE_SIZE),
        'error' in c ? c.error : undefined,
      );
      if (records === undefined) return;
      if ('want' in c) expect(names(records)).toEqual(c.want);
      if ('some' in c) expect(names(records)).toMatchObject(c.some);
    });
  }

  test('mem_bytes follows the page size it is given', () => {
    const records = expectParse(parseProcNetSockstat(readFixture('diagnostics/hand-tcp-mem-3.sockstat.txt'), 65536), undefined) ?? [];
    expect(names(records).TCP_mem_bytes).toBe(3 * 65536);
  });

  test('empty input and a bad page size are errors', () => {
    expectParse(parseProcNetSockstat('', PAGE_SIZE), /empty file/);
    expectParse(parseProcNetSockstat('sockets: used 1\n', 0), /page size 0/);
  });

  test('without a page size, no mem_bytes; each value says where it is in the text', () => {
    for (const file of ['diagnostics/router.sockstat.txt', 'diagnostics/router.sockstat6.txt', 'diagnostics/hand-tcp-mem-3.sockstat.txt']) {
      const text = readFixture(file);
      const records = expectParse(parseProcNetSockstat(text), undefined) ?? [];
      expect(records.length).toBeGreaterThan(3);
      expect(records.some((record) => record.field === 'mem_bytes')).toBe(false);
      for (const record of records) {
        expect(Number(/^-?\d+/.exec(text.slice(record.at))?.[0]), `${file} ${record.proto}_${record.field}`).toBe(record.value);
        expect(text[(record.at as number) - 1]).toBe(' ');
      }
    }
  });
});
