// The committed rules file and PrometheusRule must be exactly what `netns-exporter rules` writes for
// the defaults (src/alerting/render.ts). UPDATE_RULES=1 npx vitest run test/alerts rewrites them.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderPrometheusRule, renderRulesFile } from '../../src/alerting/rules.js';

const shipped = [
  { path: '../../deploy/prometheus/netns-exporter.rules.yml', render: () => renderRulesFile() },
  { path: '../../deploy/kubernetes/prometheusrule.yaml', render: () => renderPrometheusRule() },
].map((file) => ({ ...file, path: fileURLToPath(new URL(file.path, import.meta.url)) }));

for (const { path, render } of shipped) {
  test(`${path.split('/deploy/')[1]} is what netns-exporter rules writes for the defaults`, async () => {
    const generated = render();
    if (process.env.UPDATE_RULES === '1') {
      await writeFile(path, generated);
      console.warn(`UPDATE_RULES=1: rewrote ${path}`);
    }
    const committed = await readFile(path, 'utf8').catch(() => '');
    expect(committed, `${path} is stale: run UPDATE_RULES=1 npx vitest run test/alerts`).toBe(generated);
  });
}

test("the PrometheusRule carries the rules file's groups", () => {
  const rules = parse(renderRulesFile()) as { groups: unknown[] };
  const object = parse(renderPrometheusRule()) as { kind: string; spec: { groups: unknown[] } };
  expect(object.kind).toBe('PrometheusRule');
  expect(object.spec.groups).toEqual(rules.groups);
});
