// The shipped inhibit rules in a real Alertmanager: alerts with the label sets the shipped rules give
// them are posted to its API, and it says which it holds back (state "suppressed") and which not.
// Each case pairs a source with targets it must mute and targets it must leave alone (another host,
// another cluster, another fault, another router). The end-to-end test shows some of these with real
// faults; this shows every rule, including the ones no real fault here can trigger.
import { readFileSync } from 'node:fs';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ALERTMANAGER_BINARY, startAlertmanager, type AlertmanagerServer } from '../support/alertmanager.js';
import { skipUnless } from '../support/gates.js';

const CONFIG = readFileSync(new URL('../../deploy/alertmanager/alertmanager.yml', import.meta.url), 'utf8');
const RULES = readFileSync(new URL('../../deploy/prometheus/netns-exporter.rules.yml', import.meta.url), 'utf8');

/** severity, scope and symptom of each shipped alert, as its rule sets them. */
const ruleLabels = new Map(
  (parse(RULES) as { groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[] }).groups
    .flatMap((group) => group.rules)
    .filter((rule) => rule.alert !== undefined)
    .map((rule) => [rule.alert!, rule.labels ?? {}]),
);

type Identity = Partial<Record<'cluster' | 'instance' | 'netns' | 'id' | 'device', string>>;
interface Case {
  readonly rule: string;
  readonly source: readonly [alertname: string, identity: Identity];
  readonly muted: readonly (readonly [alertname: string, identity: Identity])[];
  readonly notMuted: readonly (readonly [alertname: string, identity: Identity])[];
}

const ns = (host: string, router: string): Identity => ({ instance: host, netns: `qrouter-${router}`, id: router, device: `qg-${router}` });
const cases: Case[] = [
  {
    rule: '1: the exporter down mutes its host and namespace alerts',
    source: ['NetnsExporterDown', { instance: 'h1' }],
    muted: [
      ['NetnsRouterGatewayUnreachable', ns('h1', 'r1')],
      ['NetnsHostGatewayUnreachable', { instance: 'h1' }],
      ['NetnsCollectionFailing', { instance: 'h1' }],
    ],
    notMuted: [
      ['NetnsRouterGatewayUnreachable', ns('h2', 'r2')],
      ['NetnsRouterGatewayUnreachable', { ...ns('h1', 'r1'), cluster: 'other' }],
      ['NetnsRouterGatewayDown', { id: 'r1', device: 'qg-r1' }],
      ['NetnsExporterScrapeSlow', { instance: 'h1' }],
    ],
  },
  {
    rule: '2: a host rollup mutes the per-namespace alerts of its symptom on that host',
    source: ['NetnsHostGatewayUnreachable', { instance: 'h1' }],
    muted: [
      ['NetnsRouterGatewayUnreachable', ns('h1', 'r1')],
      ['NetnsRouterGatewayUnreachable', ns('h1', 'r2')],
    ],
    notMuted: [
      ['NetnsRouterGatewayUnreachable', ns('h2', 'r3')],
      ['NetnsRouterGatewayUnreachable', { ...ns('h1', 'r1'), cluster: 'other' }],
      ['NetnsRouterPortReceiveDrops', { ...ns('h1', 'r1'), device: 'qr-r1' }],
    ],
  },
  {
    rule: '2: the drops rollup mutes drops, not errors',
    source: ['NetnsHostRouterPortDrops', { instance: 'h1' }],
    muted: [['NetnsRouterPortReceiveDrops', { ...ns('h1', 'r1'), device: 'qr-r1' }]],
    notMuted: [['NetnsInterfaceReceiveErrorRatioHigh', { ...ns('h1', 'r1'), device: 'qr-r1' }]],
  },
  {
    rule: '3: critical mutes the warning of the same fault in the same namespace',
    source: ['NetnsConntrackTableNearlyFull', { instance: 'h1', netns: 'qrouter-r1', id: 'r1' }],
    muted: [['NetnsConntrackTableFilling', { instance: 'h1', netns: 'qrouter-r1', id: 'r1' }]],
    notMuted: [
      ['NetnsConntrackTableFilling', { instance: 'h1', netns: 'qrouter-r2', id: 'r2' }],
      ['NetnsConntrackTableFilling', { instance: 'h2', netns: 'qrouter-r1', id: 'r1' }],
      ['NetnsConntrackTableFilling', { instance: 'h1', netns: 'qrouter-r1', id: 'r1', cluster: 'other' }],
      ['NetnsInterfaceFlapping', { instance: 'h1', netns: 'qrouter-r1', id: 'r1', device: 'qg-r1' }],
    ],
  },
  {
    rule: '3: a critical router-wide alert mutes nothing of another router',
    source: ['NetnsRouterHASplitBrain', { id: 'r1' }],
    muted: [],
    notMuted: [
      ['NetnsRouterInternalPortDown', { id: 'r2', device: 'qr-r2' }],
      ['NetnsRouterInternalPortDown', { id: 'r1', device: 'qr-r1' }],
    ],
  },
  {
    rule: "4: a router's gateway down mutes its gateway unreachable, on any host",
    source: ['NetnsRouterGatewayDown', { id: 'r1', device: 'qg-r1' }],
    muted: [
      ['NetnsRouterGatewayUnreachable', ns('h1', 'r1')],
      ['NetnsRouterGatewayUnreachable', ns('h2', 'r1')],
    ],
    notMuted: [
      ['NetnsRouterGatewayUnreachable', ns('h1', 'r2')],
      ['NetnsRouterGatewayUnreachable', { ...ns('h1', 'r1'), cluster: 'other' }],
    ],
  },
];

const alertmanagerMissing = execaSync(ALERTMANAGER_BINARY, ['--version'], { reject: false }).exitCode !== 0;

describe.skipIf(
  skipUnless(
    !alertmanagerMissing,
    'inhibit rules in a real Alertmanager',
    `${ALERTMANAGER_BINARY} not found (apt install prometheus-alertmanager)`,
  ),
)('the shipped inhibit rules in a real Alertmanager', () => {
  let alertmanager: AlertmanagerServer;
  // One Alertmanager for every case: each case's alerts carry a cluster of their own (`<case>-...`),
  // and the cluster-equality of every rule keeps the cases apart.
  const labelsOf = (index: number, [alertname, identity]: readonly [string, Identity]): Record<string, string> => {
    const fromRule = ruleLabels.get(alertname);
    if (!fromRule) throw new Error(`${alertname} is not a shipped alert`);
    const cluster = `case${index}-${identity.cluster ?? 'main'}`;
    return { alertname, job: 'netns-exporter', ...fromRule, ...identity, cluster };
  };
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());

  beforeAll(async () => {
    alertmanager = await startAlertmanager(CONFIG);
    const startsAt = new Date().toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const alerts = cases.flatMap((c, i) =>
      [c.source, ...c.muted, ...c.notMuted].map((alert) => ({ labels: labelsOf(i, alert), startsAt, endsAt })),
    );
    const response = await fetch(`http://${alertmanager.address}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(response.status, await response.text()).toBe(200);
    // The inhibitor learns of new alerts through a subscription of its own: wait until it has them all.
    const deadline = Date.now() + 10_000;
    while ((await alertmanager.alerts()).filter((a) => a.status.state !== 'unprocessed').length < alerts.length) {
      if (Date.now() > deadline) throw new Error('Alertmanager did not process the posted alerts within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await alertmanager?.stop();
  });

  cases.forEach((c, i) => {
    test(`rule ${c.rule}`, async () => {
      const states = new Map((await alertmanager.alerts()).map((a) => [key(a.labels), a.status.state]));
      const state = (alert: readonly [string, Identity]) =>
        `${alert[0]} ${JSON.stringify(alert[1])}: ${states.get(key(labelsOf(i, alert))) ?? 'missing'}`;
      expect(state(c.source)).toMatch(/: active$/);
      expect(c.muted.map(state)).toEqual(c.muted.map((alert) => `${state(alert).replace(/: \w+$/, '')}: suppressed`));
      expect(c.notMuted.map(state)).toEqual(c.notMuted.map((alert) => `${state(alert).replace(/: \w+$/, '')}: active`));
    });
  });
});
