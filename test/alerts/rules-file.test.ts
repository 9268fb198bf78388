// The committed rules file must be exactly what src/alerting/rules.ts generates.
// UPDATE_RULES=1 npx vitest run test/alerts rewrites it instead.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { renderRulesFile } from '../../src/alerting/rules.js';

const rulesPath = fileURLToPath(new URL('../../deploy/prometheus/netns-exporter.rules.yml', import.meta.url));

test('netns-exporter.rules.yml is generated from src/alerting/rules.ts', async () => {
  const generated = renderRulesFile();
  if (process.env.UPDATE_RULES === '1') {
    await writeFile(rulesPath, generated);
    console.warn(`UPDATE_RULES=1: rewrote ${rulesPath}`);
  }
  const committed = await readFile(rulesPath, 'utf8').catch(() => '');
  expect(committed, 'netns-exporter.rules.yml is stale: run UPDATE_RULES=1 npx vitest run test/alerts').toBe(generated);
});
