// Families of one series each with the same labels (a namespace's netstat fields, its socket
// counts) travel as one RowSeries per reading instead of a group per family: fewer objects, one
// label lookup. What is reported must not change: the exposition of rows equals the exposition of
// the same series as one group per family, and a family with several series, or with series in
// two groups, is never made a row. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { netstatCollector } from '../../src/collectors/netstat.js';
import { sockstatCollector } from '../../src/collectors/sockstat.js';
import { renderSnapshotText } from '../../src/exposition/render-snapshot.js';
import type { MetricFamily, RowSeries, SeriesGroup, Snapshot } from '../../src/model/snapshot.js';
import { family, forEachSeries } from '../../src/model/snapshot.js';
import { TemplateBuilder } from '../../src/pipeline/series-templates.js';
import type { Readings } from '../../src/readers/reader.js';
import { netstatFileSource, snmp6Source, snmpSource } from '../../src/sources/netstat.js';
import { sockstat6Source, sockstatSource } from '../../src/sources/sockstat.js';
import { collectorRuns, TEST_NS } from '../support/collector-runs.js';
import { nativeReadings } from '../support/native-readings.js';

const diagnostics = (name: string): Buffer => readFileSync(new URL(`../fixtures/diagnostics/${name}`, import.meta.url));

function readings(): Readings {
  return nativeReadings([
    [[snmpSource], diagnostics('router.snmp.txt')],
    [[netstatFileSource], diagnostics('router.netstat.txt')],
    [[snmp6Source], diagnostics('router.snmp6.txt')],
    [[sockstatSource], diagnostics('router.sockstat.txt')],
    [[sockstat6Source], diagnostics('router.sockstat6.txt')],
  ]);
}

const rows = (series: readonly SeriesGroup[]): RowSeries[] => series.filter((group): group is RowSeries => 'families' in group);

/** The same series, one group per family and row: what exposition wrote before rows existed. */
function oneGroupPerSeries(series: readonly SeriesGroup[]): SeriesGroup[] {
  const groups: SeriesGroup[] = [];
  for (const group of series) forEachSeries(group, (of, labels, value) => groups.push({ family: of, labels: [labels], values: [value] }));
  return groups;
}

function snapshotOf(series: readonly SeriesGroup[]): Snapshot {
  return {
    namespaces: [{ ns: TEST_NS, results: new Map([['netstat', { series, failures: [], seconds: 0 }]]) }],
    collectors: ['netstat'],
    durationSeconds: 0,
    discoverySeconds: 0,
    discoveryErrors: [],
    vanishedNamespaces: 0,
    droppedSeries: 0,
  };
}

describe('row series', () => {
  const options = { 'collector.netstat.fields': 'Ip_.*|Tcp_.*|Ip6_.*|Icmp6_.*|Udp_.*' };

  test('netstat and sockstat fields of a namespace are one row per file, refilled as rows', () => {
    const runs = collectorRuns([netstatCollector, sockstatCollector], options);
    const first = runs.run(readings());
    const made = rows(first.series);
    // one row per file read: snmp, snmp6, sockstat, sockstat6 (netstat holds none of these fields)
    expect(made).toHaveLength(4);
    expect(made.every((row) => row.labels.length === 1 && row.families.length === row.values.length)).toBe(true);
    expect(made.reduce((sum, row) => sum + row.families.length, 0)).toBe(first.lines.length);
    const second = runs.run(readings());
    expect(second.ran).toEqual([]);
    expect(rows(second.series)).toHaveLength(4);
    expect(second.lines).toEqual(first.lines);
  });

  test('the exposition of rows is the exposition of one group per family', async () => {
    const { series } = collectorRuns([netstatCollector, sockstatCollector], options).run(readings());
    const families = [netstatCollector, sockstatCollector].flatMap((collector) => [
      ...collector.configure(new Map(), () => undefined).families,
    ]);
    const asRows = await renderSnapshotText(snapshotOf(series), families);
    const asGroups = await renderSnapshotText(snapshotOf(oneGroupPerSeries(series)), families);
    expect(asRows).toEqual(asGroups);
    expect(asRows).toMatch(/^netns_netstat_Ip_ForwDatagrams\{netns="qrouter-runs"\} \d+$/m);
  });

  test('a family with more than one series, or in more than one group, is not made a row', () => {
    const labels = ['netns'] as const;
    const [a, b, c, d]: MetricFamily[] = ['a', 'b', 'c', 'd'].map((name) => family(`test_${name}`, 'gauge', name, labels));
    const builder = new TemplateBuilder(() => undefined);
    const row = ['ns1'];
    builder.gauge(a as MetricFamily, row, 1);
    builder.gauge(b as MetricFamily, row, 2);
    builder.gauge(c as MetricFamily, row, 3);
    builder.gauge(c as MetricFamily, ['ns2'], 4); // c has two series
    builder.gauge(d as MetricFamily, ['ns1'], 5); // other row object, equal values: joins a and b
    const templates = builder.finish(undefined);
    const groups = templates.map((template) => template.parsed);
    expect(groups).toHaveLength(2);
    const [joined, single] = groups;
    expect(joined && 'families' in joined ? joined.families.map((f) => f.name) : []).toEqual(['test_a', 'test_b', 'test_d']);
    expect(Array.from(joined?.values ?? [])).toEqual([1, 2, 5]);
    expect(single && 'family' in single ? single.family.name : '').toBe('test_c');
    expect(single?.labels).toEqual([['ns1'], ['ns2']]);
  });

  test('different label values or label names make different rows; a lone family stays a family group', () => {
    const [a, b] = ['a', 'b'].map((name) => family(`test_${name}`, 'gauge', name, ['netns']));
    const [e] = ['e'].map((name) => family(`test_${name}`, 'gauge', name, ['host']));
    const builder = new TemplateBuilder(() => undefined);
    builder.gauge(a as MetricFamily, ['ns1'], 1);
    builder.gauge(b as MetricFamily, ['ns2'], 2);
    builder.gauge(e as MetricFamily, ['ns1'], 3);
    const groups = builder.finish(undefined).map((template) => template.parsed);
    expect(groups.map((group) => ('families' in group ? 'row' : group.family.name))).toEqual(['test_a', 'test_b', 'test_e']);
  });
});
