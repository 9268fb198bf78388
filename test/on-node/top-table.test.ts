// top's rows from two readings: sums of increases (a reset counts from zero, a new series from its
// second read), lo left out of throughput, a namespace re-created under the same name waits a
// round; and the view: sort, reverse, kind, and the text filter over name, id, project and router
// name. Pure; no root.
import { expect, test } from 'vitest';
import { classifyNetnsName } from '../../src/discovery/netns-kind.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import { increaseOf, type NamespaceReading } from '../../src/on-node/namespace-reading.js';
import { topRows, viewRows, type TopRow } from '../../src/on-node/top-table.js';

const ref = (name: string, inode: number): NetnsRef => ({
  name,
  path: `/run/netns/${name}`,
  dev: 4,
  inode,
  source: 'named',
  ...classifyNetnsName(name),
});

function reading(ns: NetnsRef, at: number, bytes: Record<string, number>): NamespaceReading {
  return {
    ns,
    at,
    families: new Map([
      [
        'netns_network_receive_bytes_total',
        Object.entries(bytes).map(([device, value]) => ({ labels: { netns: ns.name, device }, value })),
      ],
    ]),
    failures: [],
    collectors: ['interfaces'],
  };
}

test('increaseOf: as rate() has it', () => {
  expect(increaseOf(10, 25)).toBe(15);
  expect(increaseOf(100, 7)).toBe(7); // reset: counts from zero
  expect(increaseOf(undefined, 7)).toBe(0); // new: its start is unknown
});

test('rows: bits per second over every interface but lo; a re-created namespace waits a round', () => {
  const a = ref('qrouter-aaaa', 1);
  const b = ref('qrouter-bbbb', 2);
  const before = new Map([
    [a.name, reading(a, 0, { lo: 0, 'qg-a': 1000, 'qr-a': 100 })],
    [b.name, reading(b, 0, { 'qg-b': 5 })],
  ]);
  const after = [
    reading(a, 2000, { lo: 9000, 'qg-a': 3000, 'qr-a': 50, 'qr-new': 400 }),
    reading(ref('qrouter-bbbb', 3), 2000, { 'qg-b': 9 }),
  ];
  const rows = topRows(before, after, 2, () => ({ project: 'demo', router_name: 'edge' }));
  expect(rows.map((row) => row.name)).toEqual(['qrouter-aaaa']);
  // qg-a +2000, qr-a reset +50, qr-new unknown start +0, lo left out: 2050 bytes in 2 s
  expect(rows[0]?.receiveBitsPerSecond).toBe((2050 * 8) / 2);
  expect(rows[0]).toMatchObject({ project: 'demo', routerName: 'edge', kind: 'qrouter', id: 'aaaa' });
});

const row = (name: string, bits: number, extra: Partial<TopRow> = {}): TopRow => ({
  ...classifyNetnsName(name),
  name,
  receiveBitsPerSecond: bits,
  transmitBitsPerSecond: 0,
  packetsPerSecond: 0,
  errorsPerSecond: 0,
  dropsPerSecond: 0,
  ruleHitsPerSecond: 0,
  failures: [],
  ...extra,
});

test('view: sort largest first (name a-z), ties by name, reverse, kind and text filters', () => {
  const rows = [row('qrouter-1', 10), row('qdhcp-2', 30), row('qrouter-3', 30, { project: 'Billing', routerName: 'legacy-gw' })];
  const names = (view: Parameters<typeof viewRows>[1]) => viewRows(rows, view).map((r) => r.name);
  expect(names({ sort: 'throughput', reversed: false })).toEqual(['qdhcp-2', 'qrouter-3', 'qrouter-1']);
  expect(names({ sort: 'throughput', reversed: true })).toEqual(['qrouter-1', 'qdhcp-2', 'qrouter-3']);
  expect(names({ sort: 'name', reversed: false })).toEqual(['qdhcp-2', 'qrouter-1', 'qrouter-3']);
  expect(names({ sort: 'name', reversed: false, kind: 'qrouter' })).toEqual(['qrouter-1', 'qrouter-3']);
  expect(names({ sort: 'name', reversed: false, text: 'billing' })).toEqual(['qrouter-3']);
  expect(names({ sort: 'name', reversed: false, text: 'GW' })).toEqual(['qrouter-3']);
});
