import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, test } from 'vitest';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import { LabelsFileError, LabelsFileSource } from '../../src/labels/labels-file-source.js';
import { labelsFor, parseLabelsFile } from '../../src/parsers/labels-file.js';

const ROUTER = '5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10';

describe('parseLabelsFile', () => {
  test('YAML keyed by name and by id; ids cover every namespace of the router, names override', () => {
    const result = parseLabelsFile(`
${ROUTER}:
  project: demo
  router_name: edge
qrouter-${ROUTER}:
  router_name: "edge (primary)"
qdhcp-x: { port_count: 3, enabled: true }
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(labelsFor(result.value, `snat-${ROUTER}`, ROUTER)).toEqual([
      ['project', 'demo'],
      ['router_name', 'edge'],
    ]);
    expect(labelsFor(result.value, `qrouter-${ROUTER}`, ROUTER)).toEqual([
      ['project', 'demo'],
      ['router_name', 'edge (primary)'],
    ]);
    expect(labelsFor(result.value, 'qdhcp-x', 'x')).toEqual([
      ['port_count', '3'],
      ['enabled', 'true'],
    ]);
    expect(labelsFor(result.value, 'other', '')).toEqual([]);
  });

  test('JSON is accepted too', () => {
    const result = parseLabelsFile(JSON.stringify({ [ROUTER]: { project: 'p' } }));
    expect(result.ok && labelsFor(result.value, `fip-${ROUTER}`, ROUTER)).toEqual([['project', 'p']]);
  });

  test('an empty file is an empty mapping', () => {
    const result = parseLabelsFile('');
    expect(result.ok && result.value.size).toBe(0);
  });

  test.each([
    ['not YAML', 'a: [1, 2', /not valid YAML/],
    ['a list at the top', '- a\n- b', /top level must be a map/],
    ['labels not a map', 'x: 3', /labels must be a map/],
    ['bad label name', 'x: { "bad-name": 1 }', /not a valid Prometheus label name/],
    ['reserved label', 'x: { netns: y }', /reserved/],
    ['double underscore', 'x: { __name__: y }', /not a valid Prometheus label name/],
    ['nested value', 'x: { a: { b: 1 } }', /must be a string, number or boolean/],
  ])('%s is a parse error', (_name, text, message) => {
    const result = parseLabelsFile(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.detail).toMatch(message);
  });
});

describe('LabelsFileSource', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const router: NetnsRef = { name: `qrouter-${ROUTER}`, path: '', dev: 0, inode: 0, kind: 'qrouter', id: ROUTER, source: 'named' };

  async function tempFile(text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'netns-labels-'));
    dirs.push(dir);
    const path = join(dir, 'labels.yaml');
    await writeFile(path, text);
    return path;
  }

  async function rewrite(path: string, text: string, secondsLater: number): Promise<void> {
    await writeFile(path, text);
    const when = new Date(Date.now() + secondsLater * 1000);
    await utimes(path, when, when);
  }

  test('re-read when it changes; a malformed version keeps the last good mapping and says so', async () => {
    const path = await tempFile(`${ROUTER}: { project: one }\n`);
    const registry = new Registry();
    const source = await LabelsFileSource.open(path, pino({ level: 'silent' }), registry);
    expect(source.labels(router)).toEqual([['project', 'one']]);

    await rewrite(path, `${ROUTER}: { project: two }\n`, 5);
    await source.refresh();
    expect(source.labels(router)).toEqual([['project', 'two']]);

    await rewrite(path, `${ROUTER}: { project: [broken\n`, 10);
    await source.refresh();
    expect(source.labels(router)).toEqual([['project', 'two']]);
    expect(await registry.getSingleMetricAsString('netns_labels_file_reload_success')).toMatch(/netns_labels_file_reload_success 0$/m);

    await rewrite(path, `${ROUTER}: { project: three }\n`, 15);
    await source.refresh();
    expect(source.labels(router)).toEqual([['project', 'three']]);
    expect(await registry.getSingleMetricAsString('netns_labels_file_reload_success')).toMatch(/netns_labels_file_reload_success 1$/m);
  });

  test('a malformed or missing file at start is an error', async () => {
    const bad = await tempFile('x: 3\n');
    await expect(LabelsFileSource.open(bad, pino({ level: 'silent' }), new Registry())).rejects.toBeInstanceOf(LabelsFileError);
    await expect(LabelsFileSource.open('/nonexistent/labels.yaml', pino({ level: 'silent' }), new Registry())).rejects.toThrow(
      '--netns.labels-file /nonexistent/labels.yaml: file does not exist',
    );
  });
});
