import { describe, expect, test } from 'vitest';
import { parseNfConntrackEntries } from '../../src/parsers/nf-conntrack-stat.js';
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
