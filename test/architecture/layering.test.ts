// Every import in src/ points down: cli -> exporter -> pipeline -> {readers, collectors} -> sources ->
// parsers -> model, with exposition, discovery, labels and host (the host file reader) beside them,
// each below what uses it. A file may import its own folder freely; an import into a folder of the
// same or a higher layer fails here, with the line that does it. And I/O stays at the edges: the pure
// layers (model, parsers, sources, collectors, pipeline, exposition) import no filesystem or process
// module.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';

const SRC = resolve(new URL('../../src', import.meta.url).pathname);

/** Lower layers first; a file may import only from lower layers (or its own folder). */
const LAYERS: readonly (readonly string[])[] = [
  ['model'],
  ['parsers', 'logging.ts', 'build-info.ts', 'discovery', 'alerting', 'host'],
  ['sources', 'labels', 'exposition', 'on-node'],
  ['collectors', 'readers', 'server'],
  ['pipeline'],
  ['exporter.ts'],
  ['cli'],
];

/** Layers whose code must not do I/O of its own: no fs, no processes (sources declare reads; readers make them). */
const PURE = new Set(['model', 'alerting', 'parsers', 'sources', 'collectors', 'pipeline', 'exposition', 'on-node']);
const IO_MODULES = /^(node:)?(fs|fs\/promises|child_process)$|^execa$/;

/** The folder under src/ (or the file, for files at the top). */
function unitOf(file: string): string {
  const path = relative(SRC, file);
  return path.includes('/') ? (path.split('/')[0] as string) : path;
}

function layerOf(unit: string): number {
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  if (layer === -1) throw new Error(`src/${unit} is in no layer of test/architecture/layering.test.ts: add it where it belongs`);
  return layer;
}

/** An import from `from` into `to` that does not point down. */
function isUpward(from: string, to: string): boolean {
  return to !== from && layerOf(to) >= layerOf(from);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'/gm;

function importsOf(file: string): { line: number; target: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => ({
    line: text.slice(0, match.index).split('\n').length,
    target: (match[1] ?? match[2]) as string,
  }));
}

const files = sourceFiles(SRC);

test('the layer table covers every folder and top-level file of src/', () => {
  for (const file of files) expect(() => layerOf(unitOf(file))).not.toThrow();
  expect(files.length).toBeGreaterThan(40);
});

test('every import in src/ points down', () => {
  const upward: string[] = [];
  for (const file of files) {
    const from = unitOf(file);
    for (const { line, target } of importsOf(file)) {
      if (!target.startsWith('.')) continue;
      const to = unitOf(resolve(dirname(file), target.replace(/\.js$/, '.ts')));
      if (isUpward(from, to)) upward.push(`src/${relative(SRC, file)}:${line} (${from}) imports ${target} (${to})`);
    }
  }
  expect(upward).toEqual([]);
});

test('the pure layers do no I/O of their own', () => {
  const io: string[] = [];
  for (const file of files) {
    if (!PURE.has(unitOf(file))) continue;
    for (const { line, target } of importsOf(file)) {
      if (IO_MODULES.test(target)) io.push(`src/${relative(SRC, file)}:${line} imports ${target}`);
    }
  }
  expect(io).toEqual([]);
});

test('the rule: down is allowed, sideways and up are not', () => {
  expect(isUpward('pipeline', 'collectors')).toBe(false);
  expect(isUpward('collectors', 'pipeline')).toBe(true);
  expect(isUpward('collectors', 'readers')).toBe(true); // the same layer: neither knows the other
  expect(isUpward('exposition', 'collectors')).toBe(true);
  expect(isUpward('readers', 'cli')).toBe(true);
  expect(isUpward('sources', 'sources')).toBe(false);
  // and the scan finds imports where they are
  expect(importsOf(join(SRC, 'pipeline/collect-namespace.ts')).some(({ target }) => target === '../collectors/collector.js')).toBe(true);
});
