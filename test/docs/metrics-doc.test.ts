// docs/metrics.md carries a reference table generated from the code's metric families; this test
// fails when they drift. `UPDATE_DOCS=1 npx vitest run test/docs` rewrites the table.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { COLLECTORS, familiesOf } from '../../src/collectors/registry.js';
import { snapshotFamilies } from '../../src/exposition/render-snapshot.js';
import { createSelfMetrics } from '../../src/exposition/self-metrics.js';
import { LabelsFileSource } from '../../src/labels/labels-file-source.js';

const DOC = new URL('../../docs/metrics.md', import.meta.url);
const BEGIN = '<!-- BEGIN GENERATED: metric reference (test/docs/metrics-doc.test.ts) -->';
const END = '<!-- END GENERATED -->';

function collectorOf(name: string): string {
  return COLLECTORS.find((collector) => collector.families.some((f) => f.name === name))?.name ?? 'exporter';
}

interface DocumentedFamily {
  readonly name: string;
  readonly type: string;
  readonly labelNames: readonly string[];
  readonly help: string;
}

/** The exporter's own prom-client metrics, as a running exporter with a labels file registers them. */
async function selfFamilies(): Promise<DocumentedFamily[]> {
  const dir = await mkdtemp(join(tmpdir(), 'netns-doc-'));
  try {
    const labels = join(dir, 'labels.yaml');
    await writeFile(labels, '');
    const self = createSelfMetrics({ version: 'x', revision: 'x', nodejsVersion: 'x' });
    await LabelsFileSource.open(labels, pino({ level: 'silent' }), self.registry);
    return self.registry
      .getMetricsAsArray()
      .filter((metric) => metric.name.startsWith('netns_'))
      .map((metric) => {
        const internals = metric as unknown as { type: string; labelNames?: string[]; help: string };
        return { name: metric.name, type: internals.type, labelNames: internals.labelNames ?? [], help: internals.help };
      });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function referenceTable(): Promise<string> {
  const families: DocumentedFamily[] = [...snapshotFamilies(familiesOf(COLLECTORS)), ...(await selfFamilies())];
  const rows = families.map(
    (f) =>
      `| \`${f.name}\` | ${f.type} | ${f.labelNames.map((l) => `\`${l}\``).join(', ') || '–'} | ${collectorOf(f.name)} | ${f.help.replace(/\|/g, '\\|')} |`,
  );
  return ['| metric | type | labels | collector | help |', '|---|---|---|---|---|', ...rows].join('\n');
}

test('docs/metrics.md lists every metric family the code emits, as the code declares it', async () => {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  expect(start, 'generated section markers in docs/metrics.md').toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  const expected = `${BEGIN}\n${await referenceTable()}\n${END}`;
  const actual = doc.slice(start, end + END.length);
  if (process.env.UPDATE_DOCS) writeFileSync(DOC, doc.slice(0, start) + expected + doc.slice(end + END.length));
  else expect(actual).toBe(expected);
});

test('the contract families of issue 2 are all present', () => {
  const names = new Set(snapshotFamilies(familiesOf(COLLECTORS)).map((f) => f.name));
  for (const name of [
    'netns_info',
    'netns_network_receive_bytes_total',
    'netns_network_receive_multicast_total',
    'netns_network_transmit_carrier_total',
    'netns_network_up',
    'netns_network_info',
    'netns_network_mtu_bytes',
    'netns_iptables_chain_policy_packets_total',
    'netns_iptables_chain_policy_bytes_total',
    'netns_iptables_chain_rules',
    'netns_iptables_rule_packets_total',
    'netns_iptables_rule_bytes_total',
    'netns_nf_conntrack_entries',
    'netns_nf_conntrack_entries_limit',
    'netns_collector_success',
    'netns_namespaces',
    'netns_scrape_duration_seconds',
  ]) {
    expect(names.has(name), name).toBe(true);
  }
});
