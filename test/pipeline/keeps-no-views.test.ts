// The pipeline keeps nothing that points into a reading's bytes: the native reader delivers the
// readings of many namespaces in one block, and one kept view would keep the whole block. Captured
// readings are placed in one shared block as the native reader delivers them; after a collection,
// nothing in its series or in the namespace cache may view that block, and once the block is gone
// (detached) what was kept still serves the next reading. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Collector } from '../../src/collectors/collector.js';
import { COLLECTORS } from '../../src/collectors/registry.js';
import type { Reading, Readings } from '../../src/readers/reader.js';
import { conntrackCountSource, conntrackMaxSource, conntrackStatSource } from '../../src/sources/conntrack.js';
import { neighboursSource } from '../../src/sources/neighbours.js';
import { netstatFileSource, snmp6Source, snmpSource } from '../../src/sources/netstat.js';
import { neutronHaStateSource } from '../../src/sources/neutron-ha-state.js';
import { sockstat6Source, sockstatSource } from '../../src/sources/sockstat.js';
import { ALL_DEVICES } from '../support/collector-runs.js';
import { iptablesLegacyIpv4Source, iptablesLegacyIpv6Source } from '../../src/sources/iptables-legacy.js';
import { iptablesNftIpv4Source, iptablesNftIpv6Source } from '../../src/sources/iptables-nft.js';
import { linksSource } from '../../src/sources/links.js';
import { netDevSource } from '../../src/sources/net-dev.js';
import { isHostSource, type AnySource } from '../../src/sources/source.js';
import { collectorRuns } from '../support/collector-runs.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/netlink/${name}`, import.meta.url));
const diagnostics = (name: string): Buffer => readFileSync(new URL(`../fixtures/diagnostics/${name}`, import.meta.url));

/** The native reader's answers for one router, in one block as a batch would hold them. */
function batchReadings(): { readings: Readings; block: ArrayBuffer } {
  const parts: [AnySource[], Buffer][] = [
    [[netDevSource, linksSource], fixture('router.rtnetlink-stats.bin')],
    [[iptablesNftIpv4Source, iptablesNftIpv6Source], fixture('router-nft-unspec.nfnetlink.bin')],
    [[iptablesLegacyIpv4Source], fixture('router-legacy-ipv4.xt-entries.bin')],
    [[iptablesLegacyIpv6Source], fixture('router-legacy-ipv6.xt-entries.bin')],
    [[conntrackCountSource, conntrackStatSource], fixture('router.nf_conntrack.stat.txt')],
    [[conntrackMaxSource], Buffer.from('262144\n')],
    [[snmpSource], diagnostics('router.snmp.txt')],
    [[netstatFileSource], diagnostics('router.netstat.txt')],
    [[snmp6Source], diagnostics('router.snmp6.txt')],
    [[sockstatSource], diagnostics('router.sockstat.txt')],
    [[sockstat6Source], diagnostics('router.sockstat6.txt')],
    [[neighboursSource], diagnostics('router.neigh.rtnetlink.bin')],
    [[neutronHaStateSource(ALL_DEVICES.haConfsDir as string)], Buffer.from('primary')],
  ];
  const aligned = (n: number): number => (n + 7) & ~7;
  const block = new ArrayBuffer(parts.reduce((sum, [, bytes]) => sum + aligned(bytes.length), 0));
  const readings = new Map<AnySource, Reading>();
  let offset = 0;
  for (const [sources, bytes] of parts) {
    const data = Buffer.from(block, offset, bytes.length);
    bytes.copy(data);
    for (const source of sources) readings.set(source, { ok: true, backend: isHostSource(source) ? 'host' : 'native', data });
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

describe.each(COLLECTORS.map((collector) => [collector.name, collector] as [string, Collector]))('%s collector', (_name, collector) => {
  test('its series and the cache hold no view of the reading bytes, and what is kept outlives them', () => {
    const runs = collectorRuns([collector]);
    const first = batchReadings();
    const output = runs.run(first.readings);
    expect(output.failures).toEqual([]);
    expect(output.series.length).toBeGreaterThan(0);
    const kept = viewsIn([output.series, runs.cache]).filter((view) => view.buffer === first.block);
    expect(kept.map((view) => `${view.constructor.name}(${view.byteLength} bytes)`)).toEqual([]);

    structuredClone(first.block, { transfer: [first.block] }); // detached: any view of it now reads as empty
    expect(first.block.byteLength).toBe(0);
    const second = runs.run(batchReadings().readings);
    const fresh = collectorRuns([collector]).run(batchReadings().readings);
    expect(second.failures).toEqual([]);
    expect(second.lines).toEqual(fresh.lines);
  });
});
