// The plan is made once, at start, and rejects declarations the pipeline cannot serve: a bug found
// when the exporter starts, never at scrape time. No root needed.
import { expect, test } from 'vitest';
import type { Collector } from '../../src/collectors/collector.js';
import { COLLECTORS } from '../../src/collectors/registry.js';
import { parsed } from '../../src/parsers/parse-result.js';
import { planCollection } from '../../src/pipeline/collect-snapshot.js';
import { defineSource, NUMBERS_IN_TEXT, type BinaryLayout, type NativeRead } from '../../src/sources/source.js';
import { configured } from '../support/collector-runs.js';

const SHARED: NativeRead = { kind: 'file', path: '/proc/thread-self/net/dev' };
const binary: BinaryLayout<unknown> = { kind: 'binary', volatileRanges: () => [], readCounter: () => 0 };

function source(name: string, layout: BinaryLayout<unknown> | typeof NUMBERS_IN_TEXT | undefined, read: NativeRead = SHARED) {
  const backend = { parse: () => parsed(0), ...(layout === undefined ? {} : { layout }) };
  return defineSource<number>({
    name,
    exec: { read: { kind: 'file', path: `/proc/net/${name}` }, ...backend },
    native: { read, ...backend },
  });
}

function collectorOf(name: string, sources: ReturnType<typeof source>[]): Collector {
  return { name, families: [], sources, collect: () => undefined };
}

test('sources that share one native read and declare different layouts: an error at start', () => {
  const plan = () => planCollection([collectorOf('a', [source('first', binary)]), collectorOf('b', [source('second', NUMBERS_IN_TEXT)])]);
  expect(plan).toThrow('sources first and second share one native read but declare different layouts');
});

test('sharing one read with one layout, or with a source that keeps nothing, is planned', () => {
  expect(() =>
    planCollection([collectorOf('a', [source('first', binary), source('second', binary), source('third', undefined)])]),
  ).not.toThrow();
  // the same layout on different reads is no sharing at all
  expect(() =>
    planCollection([collectorOf('a', [source('first', binary), source('second', NUMBERS_IN_TEXT, { kind: 'file', path: '/x' })])]),
  ).not.toThrow();
});

test('two sources of one name: an error at start', () => {
  const plan = () =>
    planCollection([
      collectorOf('a', [source('same', undefined)]),
      collectorOf('b', [source('same', undefined, { kind: 'file', path: '/y' })]),
    ]);
  expect(plan).toThrow('two sources are named same');
});

test("the exporter's own collectors plan, every source once, each collector's inputs pointing at its sources", () => {
  const plan = planCollection(COLLECTORS.map((collector) => configured(collector)));
  expect(new Set(plan.sources).size).toBe(plan.sources.length);
  expect(plan.sources).toEqual([...plan.namespaceSources, ...plan.hostSources]);
  for (const planned of plan.collectors) expect(planned.inputs.map((index) => plan.sources[index])).toEqual([...planned.sources]);
});
