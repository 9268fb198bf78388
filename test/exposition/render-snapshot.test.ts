// Exposition from a hand-built snapshot: family order, one HELP/TYPE per family, hostile names
// escaped, scrape metrics present; and promtool (the real one) accepts the result.
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { family } from '../../src/model/snapshot.js';
import { COLLECTORS, familiesOf } from '../../src/collectors/registry.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import { LabelBlockCache } from '../../src/exposition/label-blocks.js';
import { renderSnapshotText as renderSnapshot } from '../../src/exposition/render-snapshot.js';
import type { CollectorResult, NamespaceSnapshot, Snapshot } from '../../src/model/snapshot.js';

const upFamily = COLLECTORS.flatMap((c) => c.families).find((f) => f.name === 'netns_network_up');
if (!upFamily) throw new Error('netns_network_up is not declared by any collector');

function ns(name: string, kind: NetnsRef['kind'] = 'other', id = ''): NetnsRef {
  return { name, path: `/run/netns/${name}`, dev: 4, inode: 4026531000 + name.length, kind, id, source: 'named' };
}

function result(series: CollectorResult['series'], failed = false): CollectorResult {
  return { series, failures: failed ? [{ kind: 'timeout', detail: 'x' }] : [], seconds: 0.25 };
}

const hostile = 'a "quoted" \\ back\nnew $(touch /tmp/pwned) ü';
const namespaces: NamespaceSnapshot[] = [
  {
    ns: ns('qrouter-4f1e', 'qrouter', '4f1e'),
    results: new Map([
      ['interfaces', result([{ family: upFamily, labels: [['qrouter-4f1e', 'qg-1']], values: [1] }])],
      ['iptables', result([], true)],
      ['conntrack', result([])],
    ]),
  },
  {
    ns: ns(hostile),
    results: new Map([
      ['interfaces', result([{ family: upFamily, labels: [[hostile, 'eth"0']], values: [0] }])],
      ['iptables', result([])],
      ['conntrack', result([])],
    ]),
  },
];
const snapshot: Snapshot = {
  namespaces,
  collectors: ['interfaces', 'iptables', 'conntrack'],
  durationSeconds: 1.5,
  discoverySeconds: 0.125,
  discoveryErrors: ['x'],
  vanishedNamespaces: 2,
  droppedSeries: 0,
};

test('families in order, each header once, all namespaces together', async () => {
  const text = await renderSnapshot(snapshot, familiesOf(COLLECTORS));
  const headers = text.split('\n').filter((line) => line.startsWith('# TYPE '));
  expect(headers).toEqual([
    '# TYPE netns_info gauge',
    '# TYPE netns_network_up gauge',
    '# TYPE netns_collector_success gauge',
    '# TYPE netns_namespaces gauge',
    '# TYPE netns_scrape_duration_seconds gauge',
    '# TYPE netns_scrape_collection_duration_seconds gauge',
    '# TYPE netns_scrape_discovery_errors gauge',
    '# TYPE netns_scrape_vanished_namespaces gauge',
    '# TYPE netns_scrape_series gauge',
    '# TYPE netns_scrape_series_dropped gauge',
  ]);
  const escaped = 'a \\"quoted\\" \\\\ back\\nnew $(touch /tmp/pwned) ü';
  expect(text).toContain(`netns_info{netns="qrouter-4f1e",kind="qrouter",id="4f1e"} 1\n`);
  expect(text).toContain(`netns_info{netns="${escaped}",kind="other",id=""} 1\n`);
  expect(text).toContain(
    `netns_network_up{netns="qrouter-4f1e",device="qg-1"} 1\nnetns_network_up{netns="${escaped}",device="eth\\"0"} 0\n`,
  );
  expect(text).toContain('netns_collector_success{netns="qrouter-4f1e",collector="iptables"} 0\n');
  expect(text).toContain('netns_collector_success{netns="qrouter-4f1e",collector="interfaces"} 1\n');
  expect(text).toContain('netns_namespaces{kind="qrouter"} 1\n');
  expect(text).toContain('netns_namespaces{kind="other"} 1\n');
  expect(text).toContain('netns_namespaces{kind="qdhcp"} 0\n');
  expect(text).toContain('netns_scrape_duration_seconds{collector="discovery"} 0.125\n');
  expect(text).toContain('netns_scrape_duration_seconds{collector="iptables"} 0.5\n');
  expect(text).toContain('netns_scrape_collection_duration_seconds 1.5\n');
  expect(text).toContain('netns_scrape_vanished_namespaces 2\n');
  expect(text).toContain('netns_scrape_series 2\n');
});

test('extra netns_info labels are escaped too', async () => {
  const text = await renderSnapshot(snapshot, familiesOf(COLLECTORS), {
    infoLabels: (n) => (n.kind === 'qrouter' ? [['project', 'de"mo']] : []),
  });
  expect(text).toContain('netns_info{netns="qrouter-4f1e",kind="qrouter",id="4f1e",project="de\\"mo"} 1\n');
});

test('a family no collector declared is still written', async () => {
  const stray = family('netns_stray', 'gauge', 'stray', ['netns']);
  const withStray: Snapshot = {
    ...snapshot,
    namespaces: [{ ns: ns('x'), results: new Map([['interfaces', result([{ family: stray, labels: [['x']], values: [3] }])]]) }],
  };
  expect(await renderSnapshot(withStray, familiesOf(COLLECTORS))).toContain('# TYPE netns_stray gauge\nnetns_stray{netns="x"} 3\n');
});

test('promtool check metrics accepts the exposition', async () => {
  const text = await renderSnapshot(snapshot, familiesOf(COLLECTORS));
  const result = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
  // promtool exits 1 for lint warnings too; any "error while linting" or parse error fails this test.
  expect(result.stderr + result.stdout).not.toMatch(/error while linting|text format parsing error/);
});

test('values: integers digit by digit, everything else as the format spells it', async () => {
  const gauge = family('netns_value_check', 'gauge', 'values', ['v']);
  const values = [0, 7, 10, 4294967296, 2 ** 53 - 1, 2 ** 64, -3, 0.5, 1e-7, NaN, Infinity, -Infinity];
  const labels = values.map((_, i) => [String(i)]);
  const withValues: Snapshot = {
    ...snapshot,
    namespaces: [{ ns: ns('x'), results: new Map([['interfaces', result([{ family: gauge, labels, values }])]]) }],
  };
  const lines = (await renderSnapshot(withValues, familiesOf(COLLECTORS)))
    .split('\n')
    .filter((line) => line.startsWith('netns_value_check{'));
  expect(lines.map((line) => line.slice(line.indexOf(' ') + 1))).toEqual([
    '0',
    '7',
    '10',
    '4294967296',
    '9007199254740991',
    '18446744073709552000',
    '-3',
    '0.5',
    '1e-7',
    'NaN',
    '+Inf',
    '-Inf',
  ]);
});

test('a body larger than one chunk comes out whole and in order, and label blocks are reused by row identity', async () => {
  const gauge = family('netns_many', 'gauge', 'many', ['netns', 'n']);
  const labels = Array.from({ length: 5000 }, (_, i) => ['ns-ü', `series-${i}`]);
  const many = (values: number[]): Snapshot => ({
    ...snapshot,
    namespaces: [{ ns: ns('x'), results: new Map([['interfaces', result([{ family: gauge, labels, values }])]]) }],
  });
  const cache = new LabelBlockCache();
  const first = await renderSnapshot(many(labels.map((_, i) => i)), familiesOf(COLLECTORS), { labelBlocks: cache });
  const lines = first.split('\n').filter((line) => line.startsWith('netns_many{'));
  expect(lines).toHaveLength(5000);
  lines.forEach((line, i) => expect(line).toBe(`netns_many{netns="ns-ü",n="series-${i}"} ${i}`));
  expect(Buffer.byteLength(first)).toBeGreaterThan(3 * 64 * 1024);
  // the same rows again: blocks come from the cache (same bytes object), values are new; a family
  // with equal label names (a rule's packets and bytes) shares them
  const blocks = cache.blocks(gauge.labelNames, labels);
  expect(cache.blocks([...gauge.labelNames], labels)).toBe(blocks);
  const second = await renderSnapshot(many(labels.map((_, i) => i * 2)), familiesOf(COLLECTORS), { labelBlocks: cache });
  expect(cache.blocks(gauge.labelNames, labels)).toBe(blocks);
  expect(second).toContain('netns_many{netns="ns-ü",n="series-4999"} 9998\n');
});
