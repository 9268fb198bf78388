// README.md stays true to the binary: every flag --help lists is documented in its flags table.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { builtMain } from '../support/built.js';

test('README documents every flag of --help', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const { stdout } = await execa('node', [builtMain, '--help']);
  const flags = [...new Set([...stdout.matchAll(/--(?:no-)?([a-z][a-z0-9.-]*)/g)].map((match) => match[1] as string))];
  expect(flags.length).toBeGreaterThan(15);
  const missing = flags.filter((flag) => !readme.includes(`--${flag}`) && !readme.includes(`--[no-]${flag}`));
  expect(missing).toEqual([]);
});
