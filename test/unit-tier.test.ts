// The unit tier's list (vitest.unit.config.ts) against what its files import: a file that needs root,
// an external tool, the built addon or dist/ does not belong in `npm run test:unit`.
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { unitTestFiles } from '../vitest.unit.config.js';

const root = new URL('../', import.meta.url);

// imports (of a module, by the end of its specifier) that only the root/tool tier may use
const FORBIDDEN = [
  'support/netns-lab.js', // creates namespaces (root, ip)
  'support/exporter-process.js', // runs dist/cli/main.js
  'support/built.js', // needs dist/
  'support/prometheus.js', // runs prometheus
  'support/test-hooks-addon.js', // compiles the addon
  'support/gates.js', // gates exist for tests that may be skipped; a unit test never is
  'performance/fleet-exporter.js',
  'packaging/private-podman.js',
  'hardening/stand-in-tools.js',
  'privilege/unprivileged-user.js',
  'node:child_process',
  'execa',
  'supertest',
];

const importsOf = (text: string): string[] => [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1] as string);

test('every file of the unit tier exists and imports no root-, tool- or build-only helper', () => {
  const problems: string[] = [];
  for (const file of unitTestFiles.filter((listed) => listed !== 'test/unit-tier.test.ts')) {
    // its own text names them
    const url = new URL(file, root);
    if (!existsSync(url)) {
      problems.push(`${file}: listed but missing`);
      continue;
    }
    const text = readFileSync(url, 'utf8');
    for (const specifier of importsOf(text)) {
      if (FORBIDDEN.some((forbidden) => specifier === forbidden || specifier.endsWith(`/${forbidden}`)))
        problems.push(`${file}: imports ${specifier}`);
    }
    if (/loadNativeAddon|ADDON_PATH/.test(text)) problems.push(`${file}: loads the native addon`);
  }
  expect(problems).toEqual([]);
});

test('the check sees a forbidden import', () => {
  expect(importsOf("import { createNetnsLab } from '../support/netns-lab.js';\nconst x = await import('execa');")).toEqual([
    '../support/netns-lab.js',
    'execa',
  ]);
});
