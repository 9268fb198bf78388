import { describe, expect, test } from 'vitest';
import { family } from '../../src/model/snapshot.js';
import { escapeHelp, escapeLabelValue, formatValue, seriesLine } from '../../src/exposition/text-format.js';

describe('escapeLabelValue', () => {
  const cases: [string, string, string][] = [
    ['plain name', 'qrouter-4f1e', 'qrouter-4f1e'],
    ['double quote', 'a"b', 'a\\"b'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['line feed', 'a\nb', 'a\\nb'],
    ['backslash before n is not a line feed', '\\n', '\\\\n'],
    ['shell syntax is literal', '$(touch /tmp/x) `id`', '$(touch /tmp/x) `id`'],
    ['UTF-8 is literal', 'Ünïcødé-😀', 'Ünïcødé-😀'],
    ['tab and carriage return are literal', 'a\tb\rc', 'a\tb\rc'],
  ];
  for (const [name, input, expected] of cases) test(name, () => expect(escapeLabelValue(input)).toBe(expected));
});

test('HELP escapes backslash and line feed but not quotes', () => {
  expect(escapeHelp('a "b" \\ c\nd')).toBe('a "b" \\\\ c\\nd');
});

test('values', () => {
  expect(formatValue(0)).toBe('0');
  expect(formatValue(Number(18446744073709551615n))).toBe('18446744073709552000');
  expect(formatValue(0.25)).toBe('0.25');
  expect(formatValue(NaN)).toBe('NaN');
  expect(formatValue(Infinity)).toBe('+Inf');
  expect(formatValue(-Infinity)).toBe('-Inf');
});

test('series lines', () => {
  const f = family('netns_x_total', 'counter', 'x', ['netns', 'device']);
  expect(seriesLine(f, ['a"b', 'eth0'], 7)).toBe('netns_x_total{netns="a\\"b",device="eth0"} 7\n');
  const bare = family('netns_y', 'gauge', 'y', []);
  expect(seriesLine(bare, [], 1.5)).toBe('netns_y 1.5\n');
  expect(seriesLine(bare, [], 1, [['project', 'demo']])).toBe('netns_y{project="demo"} 1\n');
  expect(seriesLine(f, ['n', 'd'], 1, [['project', 'p\\']])).toBe('netns_x_total{netns="n",device="d",project="p\\\\"} 1\n');
});
