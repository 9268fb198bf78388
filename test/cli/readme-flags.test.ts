// The README's flags table against the collectors' declarations: every --[no-]collector.<name> and
// every flag a collector declares has a row, with the default the declaration has. (That --help lists
// nothing the table lacks is test/docs/readme.test.ts, on the built binary.) No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { CollectorFlag } from '../../src/collectors/flag.js';
import { collectorFlags, COLLECTORS } from '../../src/collectors/registry.js';

interface FlagRow {
  /** The flags the first cell names, as written: `--web.listen-address`, `--[no-]collector.iptables`. */
  readonly flags: readonly string[];
  readonly defaultCell: string;
}

function readmeFlagRows(): FlagRow[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Flags\n');
  expect(start, 'README.md has a "## Flags" section').toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `--'))
    .map((line) => {
      // neither of the first two cells holds a '|'
      const [, flagsCell = '', defaultCell = ''] = line.split('|');
      return { flags: [...flagsCell.matchAll(/`(--[^`]+)`/g)].map((match) => match[1] ?? ''), defaultCell: defaultCell.trim() };
    });
}

const rows = readmeFlagRows();

function rowOf(written: string): FlagRow | undefined {
  return rows.find((row) => row.flags.includes(written));
}

const onOff = (on: boolean): string => (on ? 'on' : 'off');

/** What the default column says for a flag declared so. */
function documentedDefault(flag: CollectorFlag): (cell: string) => boolean {
  if (flag.kind === 'switch') return (cell) => cell === onOff(flag.default);
  const { documentedDefault: words, default: text } = flag;
  if (words !== undefined) return (cell) => cell.startsWith(words);
  if (text === undefined) return (cell) => cell === '';
  return (cell) => cell === `\`${text}\``;
}

test('the table is found', () => {
  expect(rows.length).toBeGreaterThan(20);
});

describe.each(COLLECTORS.map((collector) => [collector.name, collector] as const))('collector %s', (name, collector) => {
  test(`--[no-]collector.${name} has a row, ${onOff(collector.defaultEnabled)} by default`, () => {
    const row = rowOf(`--[no-]collector.${name}`);
    expect(row, `README.md's flags table lacks --[no-]collector.${name}`).toBeDefined();
    expect(row?.defaultCell).toBe(onOff(collector.defaultEnabled));
  });
});

describe.each(collectorFlags(COLLECTORS).map((flag) => [flag.name, flag] as const))('--%s', (name, flag) => {
  test('has a row with its declared default', () => {
    const row = rowOf(flag.kind === 'switch' ? `--[no-]${name}` : `--${name}`);
    expect(row, `README.md's flags table lacks --${name}`).toBeDefined();
    const cell = row?.defaultCell ?? '';
    expect(
      documentedDefault(flag)(cell),
      `README.md states ${JSON.stringify(cell)} as the default of --${name}; its declaration: ${JSON.stringify(flag.kind === 'switch' ? onOff(flag.default) : (flag.documentedDefault ?? flag.default ?? ''))}`,
    ).toBe(true);
  });
});
