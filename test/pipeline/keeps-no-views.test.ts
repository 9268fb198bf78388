// The pipeline keeps nothing that points into a reading's bytes: the native reader delivers the
// readings of many namespaces in one block, and one kept view would keep the whole block. Captured
// readings are placed in one shared block as the native reader delivers them; after a collection,
// nothing in its series or in the namespace cache may view that block, and once the block is gone
// (detached) what was kept still serves the next reading. No root needed.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Collector } from '../../src/collectors/collector.js';
import { COLLECTORS } from '../../src/collectors/registry.js';
import type { Reading, Readings } from '../../src/readers/reader.js';
import { isHostSource, type AnySource } from '../../src/sources/source.js';
import { collectorRuns, configured } from '../support/collector-runs.js';
import { nativeReading } from '../support/native-readings.js';

/**
 * One file per read, named after a source it answers: what the native reader returned for one
 * router (links to the captured fixtures). Sources answered by one native read (net-dev and links,
 * the nf_tables dumps of both families) share the file of whichever of them it is named after.
 */
const NATIVE_ROUTER = new URL('../fixtures/native-router/', import.meta.url);

/** What the read of `sources` (all answered by one read) returned, from the fixture named after one of them. */
function fixtureOfRead(sources: readonly AnySource[]): Buffer {
  const named = sources.filter((source) => existsSync(new URL(source.name, NATIVE_ROUTER)));
  const names = sources.map((source) => source.name).join(', ');
  const [only] = named;
  if (only === undefined || named.length > 1)
    throw new Error(`test/fixtures/native-router/ needs one file named after one of ${names}, has ${named.length}`);
  return readFileSync(new URL(only.name, NATIVE_ROUTER));
}

/** The declaration of the read that answers `source`: one object for sources that share a native read. */
const readOf = (source: AnySource): object => (isHostSource(source) ? source : source.native.read);

/** The native reader's answers to every source `collectors` read, in one block as a batch would hold them. */
function batchReadings(collectors: readonly Collector[]): { readings: Readings; block: ArrayBuffer } {
  const byRead = new Map<object, AnySource[]>();
  for (const source of new Set(collectors.flatMap((collector) => [...collector.sources]))) {
    byRead.set(readOf(source), [...(byRead.get(readOf(source)) ?? []), source]);
  }
  const parts = [...byRead.values()].map((sources): [AnySource[], Buffer] => [sources, fixtureOfRead(sources)]);
  const aligned = (n: number): number => (n + 7) & ~7;
  const block = new ArrayBuffer(parts.reduce((sum, [, bytes]) => sum + aligned(bytes.length), 0));
  const readings = new Map<AnySource, Reading>();
  let offset = 0;
  for (const [key, [sources, bytes]] of parts.entries()) {
    const data = Buffer.from(block, offset, bytes.length);
    bytes.copy(data);
    for (const source of sources) readings.set(source, nativeReading(source, data, key));
    offset += aligned(bytes.length);
  }
  return { readings, block };
}

/** Every ArrayBuffer view reachable from `root` (objects, arrays, Maps, Sets). */
function viewsIn(root: unknown): ArrayBufferView[] {
  const views: ArrayBufferView[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      views.push(value);
      return;
    }
    if (value instanceof Map) {
      for (const [key, entry] of value) {
        visit(key);
        visit(entry);
      }
    } else if (value instanceof Set) {
      for (const entry of value) visit(entry);
    } else {
      for (const entry of Object.values(value)) visit(entry);
    }
  };
  visit(root);
  return views;
}

// Configured once, as the exporter does: a collector's sources are its own objects (the HA state
// source is made per configured directory), so the readings must answer these very declarations.
const CONFIGURED: readonly Collector[] = COLLECTORS.map((declaration) => configured(declaration));

describe.each(CONFIGURED.map((collector): [string, Collector] => [collector.name, collector]))('%s collector', (_name, collector) => {
  test('its series and the cache hold no view of the reading bytes, and what is kept outlives them', () => {
    const runs = collectorRuns([collector]);
    const first = batchReadings(CONFIGURED);
    const output = runs.run(first.readings);
    expect(output.failures).toEqual([]);
    expect(output.series.length).toBeGreaterThan(0);
    const kept = viewsIn([output.series, runs.cache]).filter((view) => view.buffer === first.block);
    expect(kept.map((view) => `${view.constructor.name}(${view.byteLength} bytes)`)).toEqual([]);

    structuredClone(first.block, { transfer: [first.block] }); // detached: any view of it now reads as empty
    expect(first.block.byteLength).toBe(0);
    const second = runs.run(batchReadings(CONFIGURED).readings);
    const fresh = collectorRuns([collector]).run(batchReadings(CONFIGURED).readings);
    expect(second.failures).toEqual([]);
    expect(second.lines).toEqual(fresh.lines);
  });
});
