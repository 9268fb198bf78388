// The verdicts' thresholds are the alert configuration's: each case sits just above and just below
// one threshold of the shipped config (or of an override), on facts as inspect-report.ts makes them.
// The kernel cases (a port down, a FAILED gateway) run on real namespaces in
// test/cli/inspect-command.test.ts; these are the rate thresholds no test namespace can be made to
// cross on demand (errors on a veth). Pure; no root.
import { describe, expect, test } from 'vitest';
import { alertConfig } from '../../src/alerting/config.js';
import { applyOverrides } from '../../src/alerting/config-overrides.js';
import { INSPECT_FORMAT, type InspectReport, type InterfaceReport } from '../../src/on-node/report.js';
import { promqlRegex } from '../../src/on-node/promql-regex.js';
import { verdictsOf } from '../../src/on-node/verdicts.js';
import { renderInspectText } from '../../src/on-node/inspect-text.js';
import { PLAIN } from '../../src/on-node/units.js';

type Facts = Omit<InspectReport, 'verdicts'>;

const facts = (overrides: Partial<Facts>): Facts => ({
  format: INSPECT_FORMAT,
  namespace: { name: 'qrouter-1', kind: 'qrouter', id: '1', labels: {} },
  intervalSeconds: 2,
  backend: 'native',
  interfaces: [],
  neighbours: [],
  netstat: [],
  conntrack: { stats: [] },
  rules: { busiest: [], dropped: [], nat: [] },
  failures: [],
  ...overrides,
});
const port = (device: string, rate: Record<string, number>, operstate = 'UP'): InterfaceReport => ({
  device,
  operstate,
  rate,
  increase: {},
});
const checks = (f: Facts, config = alertConfig) => verdictsOf(f, config).map((verdict) => `${verdict.check}:${verdict.alert ?? ''}`);

test('promqlRegex matches whole values, (?i) as the i flag', () => {
  expect(promqlRegex('qg-.*').test('qg-1')).toBe(true);
  expect(promqlRegex('qg-.*').test('xqg-1')).toBe(false);
  expect(promqlRegex(alertConfig.routerPortDown.downOperstates).test('LOWERLAYERDOWN')).toBe(true);
  expect(promqlRegex(alertConfig.routerPortDown.downOperstates).test('UNKNOWN')).toBe(false);
});

describe('interface errors (interfaceErrors: ratio 1 % at >= 1 packet/s, or > 100/s; idle > 0.1/s)', () => {
  test('busy: above and below the ratio', () => {
    expect(checks(facts({ interfaces: [port('qr-1', { receive_packets: 1000, receive_errs: 10.1 })] }))).toEqual([
      'interface-errors:NetnsInterfaceReceiveErrorRatioHigh',
    ]);
    expect(checks(facts({ interfaces: [port('qr-1', { receive_packets: 1000, receive_errs: 9.9 })] }))).toEqual([]);
  });
  test('above the floor at any ratio', () => {
    expect(checks(facts({ interfaces: [port('qr-1', { transmit_packets: 1e6, transmit_errs: 101 })] }))).toEqual([
      'interface-errors:NetnsInterfaceTransmitErrorRatioHigh',
    ]);
  });
  test('idle', () => {
    expect(checks(facts({ interfaces: [port('qr-1', { receive_packets: 0.5, receive_errs: 0.2 })] }))).toEqual([
      'interface-errors:NetnsInterfaceReceiveErrorsWhileIdle',
    ]);
    expect(checks(facts({ interfaces: [port('qr-1', { receive_packets: 0, receive_errs: 0.05 })] }))).toEqual([]);
  });
});

test('router port drops (routerPortDrops: 1 % with more than 0.5/s, router ports only)', () => {
  const dropping = { receive_packets: 90, receive_drop: 10 };
  expect(checks(facts({ interfaces: [port('qg-1', dropping)] }))).toEqual(['port-drops:NetnsRouterPortReceiveDrops']);
  expect(checks(facts({ interfaces: [port('lo', dropping)] }))).toEqual([]);
  expect(checks(facts({ interfaces: [port('qg-1', { receive_packets: 1, receive_drop: 0.4 })] }))).toEqual([]);
  expect(
    checks(facts({ namespace: { name: 'qdhcp-1', kind: 'qdhcp', id: '1', labels: {} }, interfaces: [port('qg-1', dropping)] })),
  ).toEqual([]);
});

test('conntrack: filling at 75 %, nearly full at 90 %, drops above 1/s in all', () => {
  expect(checks(facts({ conntrack: { entries: 76, limit: 100, use: 0.76, stats: [] } }))).toEqual([
    'conntrack-full:NetnsConntrackTableFilling',
  ]);
  expect(checks(facts({ conntrack: { entries: 91, limit: 100, use: 0.91, stats: [] } }))).toEqual([
    'conntrack-full:NetnsConntrackTableNearlyFull',
  ]);
  expect(checks(facts({ conntrack: { entries: 74, limit: 100, use: 0.74, stats: [] } }))).toEqual([]);
  const stat = (name: string, rate: number) => ({ name, rate, increase: rate * 2, value: 0 });
  expect(checks(facts({ conntrack: { stats: [stat('drop', 0.6), stat('insert_failed', 0.6), stat('found', 100)] } }))).toEqual([
    'conntrack-drops:NetnsConntrackDrops',
  ]);
  expect(checks(facts({ conntrack: { stats: [stat('drop', 0.5), stat('found', 100)] } }))).toEqual([]);
});

test('an HA backup keeps its ports down and its gateway silent on purpose; a fault is a verdict', () => {
  const down = { interfaces: [port('qg-1', {}, 'DOWN'), port('qr-1', {}, 'DOWN')] };
  expect(checks(facts(down))).toEqual(['gateway-down:NetnsRouterGatewayDown', 'internal-port-down:NetnsRouterInternalPortDown']);
  expect(checks(facts({ ...down, haState: 'backup' }))).toEqual([]);
  expect(checks(facts({ ...down, haState: 'primary' }))).toHaveLength(2);
  expect(checks(facts({ haState: 'fault' }))).toEqual(['ha-fault:']);
  // (the HA state file is only read for qrouter-<uuid> namespaces, which a test lab cannot name: so here, not on the kernel)
  const backup = facts({ ...down, haState: 'backup' });
  const text = renderInspectText({ ...backup, verdicts: verdictsOf(backup, alertConfig) }, PLAIN);
  expect(text).toContain('HA: this host is BACKUP for this router: its ports stay down and its gateway silent on purpose');
  expect(text).toContain('OK: no verdict');
});

test('neighbours: a gateway FAILED at one read only is not a verdict; internal ports need `entries` failures', () => {
  const entry = (device: string, state: string, entries: number, entriesBefore: number) => ({
    device,
    family: 'ipv4',
    state,
    entries,
    entriesBefore,
  });
  expect(checks(facts({ neighbours: [entry('qg-1', 'failed', 1, 1)] }))).toEqual(['gateway-unreachable:NetnsRouterGatewayUnreachable']);
  expect(checks(facts({ neighbours: [entry('qg-1', 'failed', 1, 0)] }))).toEqual([]);
  expect(checks(facts({ neighbours: [entry('qg-1', 'failed', 1, 1), entry('qg-1', 'reachable', 1, 1)] }))).toEqual([]);
  expect(checks(facts({ neighbours: [entry('qr-1', 'failed', 5, 5)] }))).toEqual(['neighbour-failures:NetnsNeighborFailures']);
  expect(checks(facts({ neighbours: [entry('qr-1', 'failed', 4, 4)] }))).toEqual([]);
  const stricter = applyOverrides(alertConfig, { neighborFailures: { entries: 2 } });
  expect(checks(facts({ neighbours: [entry('qr-1', 'incomplete', 2, 3)] }), stricter)).toEqual([
    'neighbour-failures:NetnsNeighborFailures',
  ]);
});

test('a collector failure is a verdict with its reason', () => {
  const verdicts = verdictsOf(
    facts({ failures: [{ collector: 'iptables', kind: 'timeout', detail: 'iptables-nft-save: killed after 10 s' }] }),
    alertConfig,
  );
  expect(verdicts).toEqual([
    {
      check: 'collector-failed',
      severity: 'warning',
      alert: 'NetnsCollectionFailing',
      summary: 'collector iptables failed: timeout: iptables-nft-save: killed after 10 s',
    },
  ]);
});
