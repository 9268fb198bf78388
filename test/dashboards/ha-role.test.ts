// The tenant router dashboard's "HA role per host" query, evaluated by promtool's PromQL engine over
// series shaped like the exporter's, for routers spread over several hosts (one exporter target per
// host). keepalived's state wins where the exporter reads ha_confs; elsewhere a down qg- port is a
// backup only while another host has the port up, else the router is down. Several hosts are several
// exporter targets, which one machine's namespaces cannot be: the series are written here, in the
// exporter's shape (test/integration/ha-history.test.ts checks the exporter's own HA series).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { buildTenantRouterDashboard, listDashboardQueries } from '../../dashboards/src/index.js';
import { skipUnless } from '../support/gates.js';

const promtoolMissing = execaSync('promtool', ['--version'], { reject: false }).exitCode !== 0;
const JOB = 'netns-exporter';
const HA_STATES = ['primary', 'backup', 'fault', 'unknown'] as const;

type Operstate = 'up' | 'unknown' | 'down' | 'lowerlayerdown';
interface RouterOnHost {
  readonly host: string;
  /** Operstate of the router's qg- port in its qrouter- namespace on this host. */
  readonly qg: Operstate;
  /** keepalived's state from ha_confs, when the exporter on this host reads it. */
  readonly keepalived?: (typeof HA_STATES)[number];
}
interface Scenario {
  readonly name: string;
  readonly router: string;
  readonly hosts: readonly RouterOnHost[];
  /** Expected role per host: state and source. */
  readonly roles: Readonly<Record<string, readonly [string, string]>>;
}

const KEEPALIVED = 'keepalived';
const INFERRED_UP = 'inferred: qg- port up';
const INFERRED_BACKUP = 'inferred: qg- down here, up on another host';
const INFERRED_DOWN = 'inferred: qg- down on every host';

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a single-host router whose qg- is down is down, not a backup',
    router: '11111111-1111-4111-8111-111111111111',
    hosts: [{ host: 'net1:9445', qg: 'down' }],
    roles: { 'net1:9445': ['down', INFERRED_DOWN] },
  },
  {
    name: "keepalived fault stays fault (its qg- is down), the primary is keepalived's",
    router: '22222222-2222-4222-8222-222222222222',
    hosts: [
      { host: 'net1:9445', qg: 'down', keepalived: 'fault' },
      { host: 'net2:9445', qg: 'unknown', keepalived: 'primary' },
    ],
    roles: { 'net1:9445': ['fault', KEEPALIVED], 'net2:9445': ['primary', KEEPALIVED] },
  },
  {
    name: 'without ha_confs, a healthy failover: the down host is the backup of the up one',
    router: '33333333-3333-4333-8333-333333333333',
    hosts: [
      { host: 'net1:9445', qg: 'lowerlayerdown' },
      { host: 'net2:9445', qg: 'unknown' },
    ],
    roles: { 'net1:9445': ['backup', INFERRED_BACKUP], 'net2:9445': ['primary', INFERRED_UP] },
  },
  {
    name: 'without ha_confs, qg- down on every host: all down, no backup',
    router: '44444444-4444-4444-8444-444444444444',
    hosts: [
      { host: 'net1:9445', qg: 'down' },
      { host: 'net2:9445', qg: 'down' },
    ],
    roles: { 'net1:9445': ['down', INFERRED_DOWN], 'net2:9445': ['down', INFERRED_DOWN] },
  },
  {
    name: 'keepalived fault on one host, no ha_confs and qg- down on the other: fault and down',
    router: '55555555-5555-4555-8555-555555555555',
    hosts: [
      { host: 'net1:9445', qg: 'down', keepalived: 'fault' },
      { host: 'net2:9445', qg: 'down' },
    ],
    roles: { 'net1:9445': ['fault', KEEPALIVED], 'net2:9445': ['down', INFERRED_DOWN] },
  },
];

/** The exporter's series for every scenario: the qg- port's netns_network_info and the HA state set. */
function inputSeries(): { series: string; values: string }[] {
  const series: { series: string; values: string }[] = [];
  for (const { router, hosts } of SCENARIOS) {
    for (const { host, qg, keepalived } of hosts) {
      const where = `job="${JOB}", instance="${host}", netns="qrouter-${router}"`;
      series.push({
        series: `netns_network_info{${where}, device="qg-${router.slice(0, 11)}", address="fa:16:3e:00:00:01", operstate="${qg}"}`,
        values: '1x10',
      });
      series.push({
        series: `netns_network_info{${where}, device="ha-${router.slice(0, 11)}", address="fa:16:3e:00:00:02", operstate="unknown"}`,
        values: '1x10',
      });
      if (keepalived === undefined) continue;
      for (const state of HA_STATES) {
        series.push({
          series: `netns_router_ha_state{${where}, id="${router}", state="${state}"}`,
          values: `${state === keepalived ? 1 : 0}x10`,
        });
      }
    }
  }
  return series;
}

function haRoleExpr(router: string): string {
  const vars = { job: JOB, instance: '.*', router, router_prefix: router.slice(0, 11) };
  return listDashboardQueries(buildTenantRouterDashboard(), vars).find((q) => q.panel === 'HA role per host [A]')!.expr;
}

function promtoolTests(scenarios: readonly Scenario[]): unknown {
  return {
    rule_files: [],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: inputSeries(),
        promql_expr_test: scenarios.map(({ router, roles }) => ({
          expr: haRoleExpr(router),
          eval_time: '5m',
          exp_samples: Object.entries(roles).map(([host, [state, source]]) => ({
            labels: `{job="${JOB}", instance="${host}", netns="qrouter-${router}", state="${state}", source="${source}"}`,
            value: 1,
          })),
        })),
      },
    ],
  };
}

describe.skipIf(skipUnless(!promtoolMissing, 'the HA role query under promtool', 'promtool not found (apt install prometheus)'))(
  'tenant router dashboard: HA role per host, evaluated by promtool',
  () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'netns-ha-role-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function runPromtool(name: string, tests: unknown) {
      const file = join(dir, `${name}.test.yml`);
      await writeFile(file, stringify(tests));
      return execa('promtool', ['test', 'rules', file], { reject: false, all: true });
    }

    for (const scenario of SCENARIOS) {
      test(scenario.name, async () => {
        const result = await runPromtool(scenario.router, promtoolTests([scenario]));
        expect(result.exitCode, result.all).toBe(0);
      });
    }

    test('the check fails when a down single-host router is expected as a backup', async () => {
      const single = SCENARIOS[0]!;
      const wrong = { ...single, roles: { 'net1:9445': ['backup', INFERRED_BACKUP] as const } };
      const result = await runPromtool('wrong', promtoolTests([wrong]));
      expect(result.exitCode).not.toBe(0);
      expect(result.all).toMatch(/state="down"/);
    });
  },
);

// The HA history panels under promtool: a router that fails over from net1 to net2 at 3m and back at
// 6m (as the exporter reports it: the state set, the change count and the change time per host).
const HISTORY_ROUTER = '66666666-6666-4666-8666-666666666666';
const HISTORY_HOSTS = [
  // role per minute 0..10, change count, change time (seconds)
  {
    host: 'net1:9445',
    roles: 'P P P B B B P P P P P',
    changes: '0 0 0 1 1 1 2 2 2 2 2',
    changed: '-600 -600 -600 180 180 180 360 360 360 360 360',
  },
  {
    host: 'net2:9445',
    roles: 'B B B P P P B B B B B',
    changes: '0 0 0 1 1 1 2 2 2 2 2',
    changed: '-900 -900 -900 179 179 179 359 359 359 359 359',
  },
] as const;

function historySeries(): { series: string; values: string }[] {
  return HISTORY_HOSTS.flatMap(({ host, roles, changes, changed }) => {
    const where = `job="${JOB}", instance="${host}", netns="qrouter-${HISTORY_ROUTER}", id="${HISTORY_ROUTER}"`;
    const states = HA_STATES.map((state) => ({
      series: `netns_router_ha_state{${where}, state="${state}"}`,
      values: roles
        .split(' ')
        .map((role) => (({ P: 'primary', B: 'backup' }) as const)[role as 'P' | 'B'] === state ? 1 : 0)
        .join(' '),
    }));
    return [
      ...states,
      { series: `netns_router_ha_changes_total{${where}}`, values: changes },
      { series: `netns_router_ha_last_change_timestamp_seconds{${where}}`, values: changed },
    ];
  });
}

function panelExpr(panel: string, range = '1h'): string {
  const vars = { job: JOB, instance: '.*', router: HISTORY_ROUTER, router_prefix: HISTORY_ROUTER.slice(0, 11), __range: range };
  return listDashboardQueries(buildTenantRouterDashboard(), vars).find((q) => q.panel === panel)!.expr;
}

function historyTests(): unknown {
  const lane = (host: string, value: number) => ({ labels: `{job="${JOB}", instance="${host}"}`, value });
  return {
    rule_files: [],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: historySeries(),
        promql_expr_test: [
          // the timeline: 1 primary, 2 backup, one lane per host
          { expr: panelExpr('HA role over time [A]'), eval_time: '1m', exp_samples: [lane('net1:9445', 1), lane('net2:9445', 2)] },
          { expr: panelExpr('HA role over time [A]'), eval_time: '4m', exp_samples: [lane('net1:9445', 2), lane('net2:9445', 1)] },
          { expr: panelExpr('HA role over time [A]'), eval_time: '7m', exp_samples: [lane('net1:9445', 1), lane('net2:9445', 2)] },
          // the newest change on any host, 6m (360 s) at 10m: 240 s ago
          { expr: panelExpr('Last HA role change [A]'), eval_time: '10m', exp_samples: [{ labels: '{}', value: 240 }] },
          // two changes in the range (the most any host saw); none in a range after them
          { expr: panelExpr('HA role changes in range [A]'), eval_time: '10m', exp_samples: [{ labels: '{}', value: 2 }] },
          { expr: panelExpr('HA role changes in range [A]', '3m'), eval_time: '10m', exp_samples: [{ labels: '{}', value: 0 }] },
        ],
      },
    ],
  };
}

describe.skipIf(skipUnless(!promtoolMissing, 'the HA history panels under promtool', 'promtool not found (apt install prometheus)'))(
  'tenant router dashboard: HA role over time, last change, changes in range, evaluated by promtool',
  () => {
    test('a failover and back', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'netns-ha-history-'));
      try {
        const file = join(dir, 'history.test.yml');
        await writeFile(file, stringify(historyTests()));
        const result = await execa('promtool', ['test', 'rules', file], { reject: false, all: true });
        expect(result.exitCode, result.all).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
