import { describe, expect, test } from 'vitest';
import { parseNfConntrackEntries, parseNfConntrackStatTotals } from '../../src/parsers/nf-conntrack-stat.js';
import { parseProcInteger } from '../../src/parsers/proc-integer.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

// The captured pair (see SOURCES.md, "Native reader"): /proc/net/stat/nf_conntrack and the
// nf_conntrack_count sysctl, read by one `cat` in a namespace holding 9 conntrack entries.
const stat = readFixture('netlink/router.nf_conntrack.stat.txt');
const count = readFixture('netlink/router.nf_conntrack_count.txt');
const [header = '', cpuLine = ''] = stat.split('\n');

describe('parseNfConntrackEntries', () => {
  test('the captured stat file says what the sysctl said at the same moment', () => {
    const sysctl = expectParse(parseProcInteger(count), undefined);
    expect(sysctl).toBeGreaterThan(0);
    expect(expectParse(parseNfConntrackEntries(stat), undefined)).toBe(sysctl);
  });

  const zero = cpuLine.replace(/^[0-9a-f]+/, '00000000');
  const cases: readonly { name: string; input: string; value?: number; error?: RegExp }[] = [
    { name: 'header and one CPU line', input: `${header}\n${cpuLine}\n`, value: 9 },
    { name: 'no trailing newline', input: `${header}\n${cpuLine}`, value: 9 },
    { name: 'zero entries (no conntrack traffic yet)', input: `${header}\n${zero}\n${zero}\n`, value: 0 },
    { name: 'more than 2^32 in hex', input: `${header}\n${cpuLine.replace(/^[0-9a-f]+/, '100000000')}\n`, value: 2 ** 32 },
    { name: 'empty file', input: '', error: /^line 1: expected a header starting with "entries"/ },
    { name: 'wrong header', input: `searched found new\n${cpuLine}\n`, error: /^line 1: .*"searched found new"/ },
    { name: 'header only', input: `${header}\n`, error: /^line 2: expected a hexadecimal entries column, got ""/ },
    { name: 'non-hex entries column', input: `${header}\n${cpuLine.replace(/^[0-9a-f]+/, '0000000g')}\n`, error: /^line 2: .*"0000000g"/ },
    { name: 'decimal with a sign', input: `${header}\n${cpuLine.replace(/^[0-9a-f]+/, '-1')}\n`, error: /^line 2: expected a hexadecimal/ },
    { name: 'absurdly long hex', input: `${header}\n${'f'.repeat(200)} 00000000\n`, error: /^line 2: expected a hexadecimal/ },
    { name: '16 hex digits, past 2^53', input: `${header}\n${'f'.repeat(16)} 00000000\n`, error: /^line 2: ffffffffffffffff is too large/ },
  ];
  test.each(cases)('$name', (c) => {
    const value = expectParse(parseNfConntrackEntries(c.input), c.error);
    if (c.error === undefined) expect(value).toBe(c.value);
  });

  test('details never carry more than 40 characters of the input', () => {
    const result = parseNfConntrackEntries(`${header}\n${'a'.repeat(5000)}x\n`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.detail.length).toBeLessThan(120);
  });
});

// Captured in the router diagnostics namespace (test/fixtures/diagnostics, SOURCES.md): 8 entries,
// 3 invalid TCP segments sent from CPU 0 and 2 from CPU 1; a fresh namespace; a hand-written file in
// the 16-column layout of Linux 2.6.32 (searched, delete_list, no search_restart); hand-cut breakage.
const CURRENT_COLUMNS = [
  'clashres',
  'found',
  'new',
  'invalid',
  'ignore',
  'delete',
  'chainlength',
  'insert',
  'insert_failed',
  'drop',
  'early_drop',
  'icmp_error',
  'expect_new',
  'expect_create',
  'expect_delete',
  'search_restart',
];
const zeros = (names: readonly string[]): Record<string, number> => Object.fromEntries(names.map((name) => [name, 0]));

describe('parseNfConntrackStatTotals', () => {
  const cases: readonly {
    name: string;
    fixture: string;
    entries?: number;
    cpus?: number;
    totals?: Record<string, number>;
    error?: RegExp;
  }[] = [
    {
      name: 'router: invalid summed over both CPU rows',
      fixture: 'router.nf_conntrack.stat.txt',
      entries: 8,
      cpus: 2,
      totals: { ...zeros(CURRENT_COLUMNS), invalid: 5 },
    },
    { name: 'fresh namespace', fixture: 'fresh.nf_conntrack.stat.txt', entries: 0, cpus: 2, totals: zeros(CURRENT_COLUMNS) },
    {
      name: 'Linux 2.6.32 columns, by name',
      fixture: 'hand-linux-2.6.32.nf_conntrack.stat.txt',
      entries: 42,
      cpus: 2,
      totals: {
        searched: 0x30,
        found: 0xff,
        new: 8,
        invalid: 3,
        ignore: 0x25,
        delete: 6,
        delete_list: 6,
        insert: 8,
        insert_failed: 1,
        drop: 1,
        early_drop: 0,
        icmp_error: 0,
        expect_new: 0,
        expect_create: 0,
        expect_delete: 0,
      },
    },
    {
      name: 'broken: a row one column short',
      fixture: 'broken-short-row.nf_conntrack.stat.txt',
      error: /^line 3: 16 columns, the header names 17$/,
    },
    {
      name: 'broken: not hex',
      fixture: 'broken-garbage-value.nf_conntrack.stat.txt',
      error: /^line 2: invalid: "0000000g" is not hexadecimal$/,
    },
    { name: 'broken: header only', fixture: 'broken-header-only.nf_conntrack.stat.txt', error: /^line 2: no CPU rows$/ },
  ];
  test.each(cases)('$name', (c) => {
    const value = expectParse(parseNfConntrackStatTotals(readFixture(`diagnostics/${c.fixture}`)), c.error);
    if (value === undefined) return;
    expect(value.entries).toBe(c.entries);
    expect(value.cpus).toBe(c.cpus);
    expect(Object.fromEntries(value.totals)).toEqual(c.totals);
    expect([...value.totals.keys()], 'header order').toEqual(Object.keys(c.totals ?? {}));
  });

  test('the same entries as parseNfConntrackEntries', () => {
    for (const file of ['diagnostics/router.nf_conntrack.stat.txt', 'netlink/router.nf_conntrack.stat.txt']) {
      const text = readFixture(file);
      expect(expectParse(parseNfConntrackStatTotals(text), undefined)?.entries).toBe(expectParse(parseNfConntrackEntries(text), undefined));
    }
  });

  test('empty input and a wrong header are errors', () => {
    expectParse(parseNfConntrackStatTotals(''), /^line 1: expected a header starting with "entries"/);
    expectParse(parseNfConntrackStatTotals('searched found\n00000000 00000000\n'), /^line 1: /);
    expectParse(parseNfConntrackStatTotals('entries found found\n00000000 00000000 00000000\n'), /appears twice/);
  });
});
