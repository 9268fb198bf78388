import { describe, expect, test } from 'vitest';
import { parseProcInteger } from '../../src/parsers/proc-integer.js';
import { expectParse } from './expect-parse.js';

// The valid inputs are the exact bytes read on the capture machine (see SOURCES.md, "Parsers"):
// nf_conntrack_count of a fresh namespace ("0\n"), of the fixture router after traffic ("20\n"),
// and nf_conntrack_max ("262144\n", the same inside every namespace).
const cases: readonly { name: string; input: string; value?: number; error?: RegExp }[] = [
  { name: 'nf_conntrack_count of a fresh namespace', input: '0\n', value: 0 },
  { name: 'nf_conntrack_count after traffic', input: '20\n', value: 20 },
  { name: 'nf_conntrack_max', input: '262144\n', value: 262144 },
  { name: 'no trailing newline', input: '262144', value: 262144 },
  { name: 'empty file', input: '', error: /line 1: expected one non-negative integer/ },
  { name: 'only a newline', input: '\n', error: /line 1: expected one non-negative integer/ },
  { name: 'garbage', input: '12a\n', error: /line 1: .*"12a\\n"/ },
  { name: 'negative', input: '-1\n', error: /line 1: expected one non-negative integer/ },
  { name: 'leading blank', input: ' 5\n', error: /line 1: expected one non-negative integer/ },
  { name: 'two lines', input: '5\n6\n', error: /line 1: expected one non-negative integer/ },
  { name: 'beyond 2^53', input: '99999999999999999999\n', error: /line 1: 99999999999999999999 is too large/ },
];

describe('parseProcInteger', () => {
  test.each(cases)('$name', (c) => {
    const value = expectParse(parseProcInteger(c.input), c.error);
    if (c.error === undefined) expect(value).toBe(c.value);
  });
});
