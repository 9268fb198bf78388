// The committed dashboard JSON must be exactly what dashboards/src generates.
// UPDATE_DASHBOARDS=1 npx vitest run test/dashboards/dashboards.test.ts rewrites the files instead.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { renderDashboardJson, SHIPPED_DASHBOARDS } from '../../dashboards/src/index.js';

const dashboardsDir = fileURLToPath(new URL('../../dashboards/', import.meta.url));
const update = process.env.UPDATE_DASHBOARDS === '1';

describe('committed dashboard JSON', () => {
  for (const shipped of SHIPPED_DASHBOARDS) {
    test(`${shipped.file} is generated from dashboards/src`, async () => {
      const path = `${dashboardsDir}${shipped.file}`;
      const generated = renderDashboardJson(shipped.build());
      if (update) {
        await writeFile(path, generated);
        console.warn(`UPDATE_DASHBOARDS=1: rewrote ${path}`);
      }
      const committed = await readFile(path, 'utf8').catch(() => '');
      // A plain equality on the text: the message then shows the first differing lines.
      expect(committed, `${shipped.file} is stale: run UPDATE_DASHBOARDS=1 npx vitest run test/dashboards/dashboards.test.ts`).toBe(
        generated,
      );
    });
  }

  test('building twice gives the same JSON (no ids or timestamps that drift)', () => {
    for (const shipped of SHIPPED_DASHBOARDS) {
      expect(renderDashboardJson(shipped.build())).toBe(renderDashboardJson(shipped.build()));
    }
  });
});
