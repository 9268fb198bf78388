// docs/metrics.md carries a reference table generated from the code's metric families; this test
// fails when they drift. `UPDATE_DOCS=1 npx vitest run test/docs` rewrites the table.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { COLLECTORS } from '../../src/collectors/registry.js';
import { snapshotFamilies } from '../../src/exposition/render-snapshot.js';

const DOC = new URL('../../docs/metrics.md', import.meta.url);
const BEGIN = '<!-- BEGIN GENERATED: metric reference (test/docs/metrics-doc.test.ts) -->';
const END = '<!-- END GENERATED -->';

function collectorOf(name: string): string {
  return COLLECTORS.find((collector) => collector.families.some((f) => f.name === name))?.name ?? 'exporter';
}

function referenceTable(): string {
  const rows = snapshotFamilies(COLLECTORS).map(
    (f) =>
      `| \`${f.name}\` | ${f.type} | ${f.labelNames.map((l) => `\`${l}\``).join(', ') || '–'} | ${collectorOf(f.name)} | ${f.help.replace(/\|/g, '\\|')} |`,
  );
  rows.push(
    '| `netns_exporter_build_info` | gauge | `version`, `revision`, `nodejs_version` | exporter | A metric with a constant 1 value labeled by version, revision and nodejs_version from which netns-exporter was built. |',
  );
  return ['| metric | type | labels | collector | help |', '|---|---|---|---|---|', ...rows].join('\n');
}

test('docs/metrics.md lists every metric family the code emits, as the code declares it', () => {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  expect(start, 'generated section markers in docs/metrics.md').toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  const expected = `${BEGIN}\n${referenceTable()}\n${END}`;
  const actual = doc.slice(start, end + END.length);
  if (process.env.UPDATE_DOCS) writeFileSync(DOC, doc.slice(0, start) + expected + doc.slice(end + END.length));
  else expect(actual).toBe(expected);
});

test('the contract families of issue 2 are all present', () => {
  const names = new Set(snapshotFamilies(COLLECTORS).map((f) => f.name));
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
