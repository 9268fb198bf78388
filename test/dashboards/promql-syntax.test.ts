// Every dashboard expression must parse as PromQL: they are written out as recording rules and
// checked with promtool, the parser Prometheus itself uses. (Whether they return data is the
// end-to-end test's job, against a Prometheus scraping a real exporter.)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { listDashboardQueries, SHIPPED_DASHBOARDS } from '../../dashboards/src/index.js';
import type { DashboardQuery } from '../../dashboards/src/queries.js';
import { skipUnless } from '../support/gates.js';

const promtoolMissing = execaSync('promtool', ['--version'], { reject: false }).exitCode !== 0;

const VARS = {
  job: 'netns-exporter',
  instance: '127.0.0.1:9445',
  router: '0d7e5e4c-2b5a-4f0e-9d55-6f0c1c0ffee1',
  router_prefix: '0d7e5e4c-2b',
};

/** Runs `promtool check rules` on the expressions as recording rules; resolves to promtool's result. */
async function checkWithPromtool(dir: string, name: string, queries: readonly DashboardQuery[]) {
  const file = join(dir, `${name}.rules.yml`);
  const rules = queries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: q.expr, labels: { panel: q.panel } }));
  await writeFile(file, stringify({ groups: [{ name, rules }] }));
  return execa('promtool', ['check', 'rules', file], { reject: false, all: true });
}

describe.skipIf(skipUnless(!promtoolMissing, 'the PromQL syntax check of the dashboards', 'promtool not found (apt install prometheus)'))(
  'dashboard PromQL parses',
  () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'netns-dashboards-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    for (const { file, build } of SHIPPED_DASHBOARDS) {
      test(`every query of ${file}`, async () => {
        const result = await checkWithPromtool(dir, file.replace('.json', ''), listDashboardQueries(build(), VARS));
        expect(result.all, file).toMatch(/SUCCESS/);
        expect(result.exitCode, result.all).toBe(0);
      });
    }

    test('the check catches a broken expression', async () => {
      const result = await checkWithPromtool(dir, 'broken', [{ panel: 'broken', expr: 'rate(netns_info{job="x"}[1m]' }]);
      expect(result.exitCode).not.toBe(0);
    });
  },
);
