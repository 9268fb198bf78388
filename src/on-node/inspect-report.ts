// Two readings of one namespace, `inspect`'s report: rates of every interface, netstat and
// conntrack counter, neighbours by state, the rules that matched, and the verdicts (verdicts.ts).
// Works on the exporter's own series (the names the alert rules query), so what `inspect` says is
// what Prometheus would see.

import type { AlertConfig } from '../alerting/config.js';
import { RECEIVE_COUNTERS, TRANSMIT_COUNTERS } from '../model/records/net-dev.js';
import { findSeries, increases, seriesOf, type NamespaceReading } from './namespace-reading.js';
import {
  INSPECT_FORMAT,
  type ConntrackReport,
  type CounterReport,
  type InspectReport,
  type InterfaceReport,
  type NamespaceIdentity,
  type NeighbourReport,
  type RuleReport,
} from './report.js';
import { verdictsOf } from './verdicts.js';

/** /proc/net/dev's counters under node_exporter's names (receive_bytes, ...), in column order. */
export const INTERFACE_COUNTERS: readonly string[] = [
  ...RECEIVE_COUNTERS.map((counter) => `receive_${counter}`),
  ...TRANSMIT_COUNTERS.map((counter) => `transmit_${counter}`),
];

const BUSIEST_RULES = 10;
const DROP_TARGETS = new Set(['DROP', 'REJECT']);
const NAT_TARGETS = new Set(['SNAT', 'DNAT', 'MASQUERADE', 'REDIRECT']);

export interface InspectInput {
  readonly before: NamespaceReading;
  readonly after: NamespaceReading;
  readonly labels: Readonly<Record<string, string>>;
  readonly backend: string;
  readonly config: AlertConfig;
}

export function identityOf(reading: NamespaceReading, labels: Readonly<Record<string, string>>): NamespaceIdentity {
  return { name: reading.ns.name, kind: reading.ns.kind, id: reading.ns.id, labels };
}

/** Seconds between two readings; never 0 (rates of two reads in the same millisecond would be infinite). */
export function secondsBetween(before: NamespaceReading, after: NamespaceReading): number {
  return Math.max((after.at - before.at) / 1000, 0.001);
}

export function inspectReport({ before, after, labels, backend, config }: InspectInput): InspectReport {
  const seconds = secondsBetween(before, after);
  const interfaces = interfacesOf(before, after, seconds);
  const neighbours = neighboursOf(before, after);
  const rules = rulesOf(before, after, seconds);
  const conntrack = conntrackOf(before, after, seconds);
  const haState = seriesOf(after, 'netns_router_ha_state').find((series) => series.value === 1)?.labels.state;
  const failures = after.failures.map(({ collector, kind, detail }) => ({ collector, kind, detail }));
  const report: Omit<InspectReport, 'verdicts'> = {
    format: INSPECT_FORMAT,
    namespace: identityOf(after, labels),
    intervalSeconds: seconds,
    backend,
    ...(haState === undefined ? {} : { haState }),
    interfaces,
    neighbours,
    netstat: countersOf(before, after, seconds, (family) => family.startsWith('netns_netstat_'), 'netns_netstat_'),
    conntrack,
    rules: {
      busiest: rules
        .filter((rule) => rule.position !== null && rule.packets > 0)
        .sort(busiestFirst)
        .slice(0, BUSIEST_RULES),
      dropped: rules.filter((rule) => DROP_TARGETS.has(rule.target) && rule.packets > 0).sort(busiestFirst),
      nat: rules.filter((rule) => rule.table === 'nat' && rule.position !== null && NAT_TARGETS.has(rule.target)).sort(busiestFirst),
    },
    failures,
  };
  return { ...report, verdicts: verdictsOf(report, config) };
}

const busiestFirst = (a: RuleReport, b: RuleReport): number => b.packets - a.packets || b.bytes - a.bytes;

function interfacesOf(before: NamespaceReading, after: NamespaceReading, seconds: number): InterfaceReport[] {
  const byDevice = new Map<string, { rate: Record<string, number>; increase: Record<string, number> }>();
  for (const counter of INTERFACE_COUNTERS) {
    for (const series of increases(before, after, `netns_network_${counter}_total`)) {
      const device = series.labels.device ?? '';
      let entry = byDevice.get(device);
      if (entry === undefined) {
        entry = { rate: {}, increase: {} };
        byDevice.set(device, entry);
      }
      entry.rate[counter] = series.increase / seconds;
      entry.increase[counter] = series.increase;
    }
  }
  const devices = new Set([...byDevice.keys(), ...seriesOf(after, 'netns_network_info').map((series) => series.labels.device ?? '')]);
  return [...devices].sort().map((device) => {
    const info = findSeries(after, 'netns_network_info', { device });
    const mtu = findSeries(after, 'netns_network_mtu_bytes', { device });
    const counters = byDevice.get(device) ?? { rate: {}, increase: {} };
    return {
      device,
      ...(info === undefined ? {} : { operstate: (info.labels.operstate ?? '').toUpperCase(), address: info.labels.address ?? '' }),
      ...(mtu === undefined ? {} : { mtu: mtu.value }),
      rate: counters.rate,
      increase: counters.increase,
    };
  });
}

function neighboursOf(before: NamespaceReading, after: NamespaceReading): NeighbourReport[] {
  const key = (labels: Readonly<Record<string, string>>): string => `${labels.device}\u0000${labels.family}\u0000${labels.state}`;
  const entries = new Map<string, NeighbourReport>();
  for (const [reading, field] of [
    [before, 'entriesBefore'],
    [after, 'entries'],
  ] as const) {
    for (const series of seriesOf(reading, 'netns_neighbor_entries')) {
      const { device = '', family = '', state = '' } = series.labels;
      const known = entries.get(key(series.labels)) ?? { device, family, state, entries: 0, entriesBefore: 0 };
      entries.set(key(series.labels), { ...known, [field]: series.value });
    }
  }
  return [...entries.values()].sort(
    (a, b) => a.device.localeCompare(b.device) || a.family.localeCompare(b.family) || a.state.localeCompare(b.state),
  );
}

function countersOf(
  before: NamespaceReading,
  after: NamespaceReading,
  seconds: number,
  wanted: (family: string) => boolean,
  prefix: string,
  suffix = '',
): CounterReport[] {
  const reports: CounterReport[] = [];
  for (const family of after.families.keys()) {
    if (!wanted(family)) continue;
    for (const series of increases(before, after, family)) {
      reports.push({
        name: family.slice(prefix.length, family.length - suffix.length),
        rate: series.increase / seconds,
        increase: series.increase,
        value: series.value,
      });
    }
  }
  return reports;
}

function conntrackOf(before: NamespaceReading, after: NamespaceReading, seconds: number): ConntrackReport {
  const entries = seriesOf(after, 'netns_nf_conntrack_entries')[0]?.value;
  const limit = seriesOf(after, 'netns_nf_conntrack_entries_limit')[0]?.value;
  const stats = countersOf(
    before,
    after,
    seconds,
    (family) => family.startsWith('netns_nf_conntrack_stat_') && family.endsWith('_total'),
    'netns_nf_conntrack_stat_',
    '_total',
  );
  return {
    ...(entries === undefined ? {} : { entries }),
    ...(limit === undefined ? {} : { limit }),
    ...(entries !== undefined && limit !== undefined && limit > 0 ? { use: entries / limit } : {}),
    stats,
  };
}

function rulesOf(before: NamespaceReading, after: NamespaceReading, seconds: number): RuleReport[] {
  const rules: RuleReport[] = [];
  const add = (packetsFamily: string, bytesFamily: string, policy: boolean): void => {
    const bytes = new Map(increases(before, after, bytesFamily).map((series) => [Object.values(series.labels).join('\u0000'), series]));
    for (const series of increases(before, after, packetsFamily)) {
      const { labels } = series;
      const byteSeries = bytes.get(Object.values(labels).join('\u0000'));
      rules.push({
        backend: labels.backend ?? '',
        family: labels.family ?? '',
        table: labels.table ?? '',
        chain: labels.chain ?? '',
        position: policy ? null : Number(labels.rule),
        target: (policy ? labels.policy : labels.target) ?? '',
        comment: labels.comment ?? '',
        packetsPerSecond: series.increase / seconds,
        bytesPerSecond: (byteSeries?.increase ?? 0) / seconds,
        packets: series.increase,
        bytes: byteSeries?.increase ?? 0,
      });
    }
  };
  add('netns_iptables_rule_packets_total', 'netns_iptables_rule_bytes_total', false);
  add('netns_iptables_chain_policy_packets_total', 'netns_iptables_chain_policy_bytes_total', true);
  return rules;
}
