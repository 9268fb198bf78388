// Collectors keep nothing that points into a reading's bytes (Collector.collect): the native reader
// delivers the readings of many namespaces in one block, and one kept view would keep the whole block.
// Captured readings are placed in one shared block as the native reader delivers them; after collect,
// nothing the collector returned (series or memo) may view that block, and once the block is gone
// (detached) the memo still serves the next reading. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Collector } from '../../src/collectors/collector.js';
import { COLLECTORS } from '../../src/collectors/registry.js';
import type { NetnsRef } from '../../src/discovery/netns-ref.js';
import type { RawFormat, Reading, Readings, ReadRequest } from '../../src/readers/reader.js';
import { seriesLines } from '../support/series-lines.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/netlink/${name}`, import.meta.url));
const ns: NetnsRef = { name: 'qrouter-views', path: '/run/netns/qrouter-views', dev: 4, inode: 4026532002, kind: 'qrouter', id: 'views', source: 'named' };
const options = { deviceFilter: () => true, iptablesRules: true };

/** The native reader's answers for one router, in one block as a batch would hold them. */
function batchReadings(): { readings: Readings; block: ArrayBuffer } {
  const parts: [ReadRequest[], RawFormat, Buffer][] = [
    [['net-dev', 'links'], 'rtnetlink', fixture('router.rtnetlink-stats.bin')],
    [['iptables-nft-ipv4', 'iptables-nft-ipv6'], 'nfnetlink', fixture('router-nft-unspec.nfnetlink.bin')],
    [['iptables-legacy-ipv4'], 'xt-entries', fixture('router-legacy-ipv4.xt-entries.bin')],
    [['iptables-legacy-ipv6'], 'xt-entries', fixture('router-legacy-ipv6.xt-entries.bin')],
    [['conntrack-count'], 'nf-conntrack-stat', fixture('router.nf_conntrack.stat.txt')],
    [['conntrack-max'], 'text', Buffer.from('262144\n')],
  ];
  const aligned = (n: number): number => (n + 7) & ~7;
  const block = new ArrayBuffer(parts.reduce((sum, [, , bytes]) => sum + aligned(bytes.length), 0));
  const readings = new Map<ReadRequest, Reading>();
  let offset = 0;
  for (const [requests, format, bytes] of parts) {
    const data = Buffer.from(block, offset, bytes.length);
    bytes.copy(data);
    for (const request of requests) readings.set(request, { ok: true, format, data });
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
    if (value instanceof Map) for (const [key, entry] of value) (visit(key), visit(entry));
    else if (value instanceof Set) for (const entry of value) visit(entry);
    else for (const entry of Object.values(value)) visit(entry);
  };
  visit(root);
  return views;
}

describe.each(COLLECTORS.map((collector) => [collector.name, collector] as [string, Collector]))('%s collector', (_name, collector) => {
  test('returns no view of the reading bytes, and its memo outlives them', () => {
    const first = batchReadings();
    const output = collector.collect(ns, first.readings, options);
    expect(output.failures).toEqual([]);
    expect(output.series.length).toBeGreaterThan(0);
    const kept = viewsIn([output.series, output.memo]).filter((view) => view.buffer === first.block);
    expect(kept.map((view) => `${view.constructor.name}(${view.byteLength} bytes)`)).toEqual([]);

    structuredClone(first.block, { transfer: [first.block] }); // detached: any view of it now reads as empty
    expect(first.block.byteLength).toBe(0);
    const second = batchReadings();
    const withMemo = collector.collect(ns, second.readings, options, output.memo);
    const fresh = collector.collect(ns, batchReadings().readings, options);
    expect(withMemo.failures).toEqual([]);
    expect(seriesLines(withMemo)).toEqual(seriesLines(fresh));
  });
});
