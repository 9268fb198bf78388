// End to end through a real Alertmanager: real router faults on real namespaces, two exporters (two
// "network nodes", A and B), a real Prometheus with the shipped rules (short durations) alerting to
// Debian's prometheus-alertmanager with the shipped configuration, and a webhook here standing in for
// the receivers. What the on-call gets is what the webhook records:
//   1. a non-HA router's qg- port set down: one notification, and one "resolved" when it is back up;
//   2. a router whose gateway never answers ARP: one notification (and "resolved" once it answers);
//   3. three routers on host A losing their uplink gateway at once: one notification, the host-level
//      alert, with the per-router alerts inhibited;
//   4. host A's exporter stopped while that lasts: only NetnsExporterDown arrives for host A (its host
//      and namespace alerts, which go quiet in Prometheus as their series go stale, send no false
//      "resolved"), while a new fault on host B still pages.
// The phases run in order and share the lab; the last test checks every notification of the run.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { alertConfig, renderRulesFile, withDurations } from '../../src/alerting/rules.js';
import { ALERTMANAGER_BINARY, startAlertmanager, type AlertmanagerServer } from '../support/alertmanager.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { skipUnless } from '../support/gates.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { startWebhookReceiver, type Notification, type WebhookReceiver } from '../support/webhook-receiver.js';

const JOB = 'netns-exporter';
const SHIPPED_CONFIG = new URL('../../deploy/alertmanager/alertmanager.yml', import.meta.url);
// Alertmanager's timers for the test. repeat_interval outlasts the whole file, so every notification
// counted below is a real one, never a reminder.
const TIMERS = { group_wait: '4s', group_interval: '3s', repeat_interval: '1h' } as const;
const GROUP_INTERVAL_MS = 3_000;
// Rules as shipped with every `for` at 2s: long enough that a single odd scrape fires nothing.
const RULES = renderRulesFile(withDurations(alertConfig, '2s', '5s'));

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The shipped Alertmanager configuration with exactly two changes: every receiver's webhook URL points
 * at this test's webhook (`/<receiver name>`), and group_wait/group_interval/repeat_interval are
 * shortened wherever the route tree sets them. Routes, matchers, grouping and inhibit rules stay as
 * shipped; a receiver with anything but a webhook fails the test instead of being rewritten.
 */
function shippedConfigForTest(shipped: string, webhookUrl: string): string {
  interface Route {
    group_wait?: string;
    group_interval?: string;
    repeat_interval?: string;
    routes?: Route[];
  }
  const config = parse(shipped) as { route: Route; receivers: { name: string; webhook_configs?: { url: string }[] }[] };
  for (const receiver of config.receivers) {
    const integrations = Object.keys(receiver).filter((key) => key !== 'name');
    if (integrations.join() !== 'webhook_configs')
      throw new Error(`receiver ${receiver.name} has ${integrations.join(', ')}: only webhooks can be pointed at the test`);
    for (const webhook of receiver.webhook_configs ?? []) webhook.url = `${webhookUrl}/${receiver.name}`;
  }
  const shorten = (route: Route): void => {
    for (const key of Object.keys(TIMERS) as (keyof typeof TIMERS)[]) if (route[key] !== undefined) route[key] = TIMERS[key];
    for (const child of route.routes ?? []) shorten(child);
  };
  shorten(config.route);
  return stringify(config);
}

const prometheusMissing = execaSync('prometheus', ['--version'], { reject: false }).exitCode !== 0;
const alertmanagerMissing = execaSync(ALERTMANAGER_BINARY, ['--version'], { reject: false }).exitCode !== 0;
const skip =
  skipUnlessRoot('end-to-end tests through a real Alertmanager') ||
  skipUnless(
    !prometheusMissing && !alertmanagerMissing,
    'end-to-end tests through a real Alertmanager',
    'prometheus or prometheus-alertmanager not found (apt install prometheus prometheus-alertmanager)',
  );

describe.skipIf(skip)('router faults through a real Alertmanager', () => {
  let lab: NetnsLab;
  let dir: string;
  let webhook: WebhookReceiver;
  let alertmanager: AlertmanagerServer;
  let prometheus: PrometheusServer;
  let hostA: ExporterProcess;
  let hostB: ExporterProcess;
  let traffic: NodeJS.Timeout | undefined;
  let uplink: string;
  type Role = 'gatewayPort' | 'noArp' | 'uplink1' | 'uplink2' | 'uplink3' | 'hostBUplink';
  /** Routers by role: namespace, router id (what follows `qrouter-`) and qg- port; filled by beforeAll. */
  const routers = {} as Record<Role, { ns: string; id: string; dev: string }>;
  /** Routers that send tenant traffic towards their gateway every second. */
  const sending = new Set<string>();

  beforeAll(async () => {
    lab = await createNetnsLab('am');
    dir = await mkdtemp(join(tmpdir(), 'netns-e2e-am-'));
    // The upstream side of every qg- port (the external network and its gateway): not on a network
    // node, so no exporter reports it.
    uplink = await lab.addNamespace('uplink');
    const addRouter = async (role: Role, host: 'a' | 'b', name: string, dev: string) => {
      const ns = await lab.addNeutronNamespace('qrouter', `${host}-${name}`);
      routers[role] = { ns, id: ns.slice('qrouter-'.length), dev };
      return ns;
    };

    // Host A, phase 1: a non-HA router with a working gateway port.
    const gatewayPort = await addRouter('gatewayPort', 'a', 'gw', 'qg-gw');
    await lab.vethPair({ ns: gatewayPort, dev: 'qg-gw', cidr: '10.85.0.1/24' }, { ns: uplink, dev: 'up-gw', cidr: '10.85.0.2/24' });

    // Host B, phase 2: a router whose default gateway (10.86.0.254) nobody owns yet.
    const noArp = await addRouter('noArp', 'b', 'r1', 'qg-b1');
    await lab.vethPair({ ns: noArp, dev: 'qg-b1', cidr: '10.86.0.1/24' }, { ns: uplink, dev: 'up-b1', cidr: '10.86.0.2/24' });
    await lab.run(noArp, ['ip', 'route', 'add', 'default', 'via', '10.86.0.254']);

    // Host A, phase 3: three routers behind one uplink whose gateway (.254 of each subnet) answers;
    // host B, phase 4: one more like them. Their qg- ports get short neighbour timers so the kernel's
    // own state machine (reachable, stale, delay, probe, failed) runs its course in seconds rather
    // than a minute once the gateway goes.
    for (const [n, role, host] of [
      [1, 'uplink1', 'a'],
      [2, 'uplink2', 'a'],
      [3, 'uplink3', 'a'],
      [4, 'hostBUplink', 'b'],
    ] as const) {
      const dev = `qg-u${n}`;
      const ns = await addRouter(role, host, `u${n}`, dev);
      await lab.vethPair({ ns, dev, cidr: `10.87.${n}.1/24` }, { ns: uplink, dev: `up-u${n}`, cidr: `10.87.${n}.2/24` });
      await execa('ip', ['-n', uplink, 'addr', 'add', `10.87.${n}.254/24`, 'dev', `up-u${n}`]);
      await lab.run(ns, ['ip', 'route', 'add', 'default', 'via', `10.87.${n}.254`]);
      for (const [key, value] of Object.entries({
        base_reachable_time_ms: '1000',
        delay_first_probe_time: '1',
        retrans_time_ms: '500',
        ucast_solicit: '2',
        mcast_solicit: '2',
      })) {
        await execa('ip', ['netns', 'exec', ns, 'tee', `/proc/sys/net/ipv4/neigh/${dev}/${key}`], {
          input: `${value}\n`,
          stdout: 'ignore',
        });
      }
      sending.add(ns);
    }
    // Tenant traffic to an address behind the gateway; a send that fails (gateway gone) is the fault.
    const sendTraffic = () => Promise.all([...sending].map((ns) => lab.sendUdp(ns, '198.51.100.1', 9, 1).catch(() => undefined)));
    await sendTraffic();
    traffic = setInterval(() => void sendTraffic(), 1000);

    webhook = await startWebhookReceiver();
    alertmanager = await startAlertmanager(shippedConfigForTest(readFileSync(SHIPPED_CONFIG, 'utf8'), webhook.url));
    const rules = join(dir, 'rules.yml');
    await writeFile(rules, RULES);
    hostA = await startExporter([`--netns.include=${escapeRegex(`${lab.prefix}a-`)}`]);
    hostB = await startExporter([`--netns.include=${escapeRegex(`${lab.prefix}b-`)}`]);
    prometheus = await startPrometheus({
      job: JOB,
      targets: [hostA.address, hostB.address],
      ruleFiles: [rules],
      alertmanagers: [alertmanager.address],
    });
    // Both hosts scraped a few times, and the uplink routers' gateways resolved.
    await prometheus.waitFor(`count(count_over_time(up{job="${JOB}"}[1m]) >= 5) == 2`, 60_000);
    await prometheus.waitFor(`count(netns_neighbor_entries{device=~"qg-u.", state=~"reachable|stale|delay|probe"} > 0) == 4`, 30_000);
  }, 120_000);

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    const steps: [string, (() => Promise<unknown>) | undefined][] = [
      ['prometheus', prometheus?.stop],
      ['alertmanager', alertmanager?.stop],
      ['exporter A', hostA?.stop],
      ['exporter B', hostB?.stop],
      ['webhook', webhook?.stop],
      ['namespaces', lab?.cleanup],
      ['temp dir', dir ? () => rm(dir, { recursive: true, force: true }) : undefined],
    ];
    for (const [what, step] of steps) {
      try {
        await step?.();
      } catch (error) {
        console.warn(`alertmanager e2e teardown: ${what}: ${String(error)}`);
      }
    }
  }, 60_000);

  const isAbout = (n: Notification, match: (labels: Record<string, string>) => boolean) => n.alerts.some((a) => match(a.labels));
  const since = (mark: number, match: (labels: Record<string, string>) => boolean) =>
    webhook.notifications.slice(mark).filter((n) => isAbout(n, match));
  const describeAll = (list: readonly Notification[]) =>
    JSON.stringify(
      list.map((n) => ({
        receiver: n.receiver,
        status: n.status,
        alerts: n.alerts.map((a) => `${a.status} ${a.labels.alertname} ${a.labels.instance ?? ''} ${a.labels.id ?? ''}`),
      })),
      null,
      1,
    );

  /** Waits for a notification after `mark` with an alert matching `match` in `status`. */
  async function notified(
    mark: number,
    status: 'firing' | 'resolved',
    match: (labels: Record<string, string>) => boolean,
    what: string,
  ): Promise<Notification> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const found = webhook.notifications.slice(mark).find((n) => n.alerts.some((a) => a.status === status && match(a.labels)));
      if (found) return found;
      if (Date.now() > deadline) {
        const firing = (await prometheus.alerts()).map(
          (a) => `${a.state} ${a.labels.alertname} ${a.labels.instance ?? ''} ${a.labels.id ?? ''}`,
        );
        const inAlertmanager = (await alertmanager.alerts()).map(
          (a) => `${a.status.state} ${a.labels.alertname} ${a.labels.instance ?? ''} ${a.labels.id ?? ''}`,
        );
        throw new Error(
          `no ${status} notification for ${what} within 45 s.\nPrometheus alerts: ${JSON.stringify(firing)}\nAlertmanager alerts: ${JSON.stringify(inAlertmanager)}\n` +
            `notifications since: ${describeAll(webhook.notifications.slice(mark))}`,
        );
      }
      await sleep(250);
    }
  }

  const routerIs = (role: Role) => (labels: Record<string, string>) => labels.id === routers[role].id;

  test('the healthy lab notifies nothing about its routers', async () => {
    await sleep(7_000); // past `for` and group_wait: a start-up flap would have been sent by now
    const ours = new Set(Object.values(routers).map((r) => r.id));
    expect(describeAll(webhook.notifications.filter((n) => isAbout(n, (l) => ours.has(l.id ?? ''))))).toBe('[]');
    expect((await prometheus.alerts()).filter((a) => ours.has(a.labels.id ?? ''))).toEqual([]);
  });

  test('phase 1: a qg- port set down on a non-HA router pages once, and resolves once when it is back up', async () => {
    const { ns, dev } = routers.gatewayPort;
    const mark = webhook.notifications.length;
    await lab.run(ns, ['ip', 'link', 'set', 'dev', dev, 'down']);
    const page = await notified(mark, 'firing', routerIs('gatewayPort'), 'the gateway port down');
    expect(page.receiver).toBe('netns-critical');
    expect(page.alerts.map((a) => [a.status, a.labels.alertname, a.labels.device])).toEqual([['firing', 'NetnsRouterGatewayDown', dev]]);
    await sleep(GROUP_INTERVAL_MS + 1_000); // a duplicate would come at the next group interval

    const repaired = webhook.notifications.length;
    await lab.run(ns, ['ip', 'link', 'set', 'dev', dev, 'up']);
    const resolved = await notified(repaired, 'resolved', routerIs('gatewayPort'), 'the gateway port back up');
    expect(resolved.receiver).toBe('netns-critical');
    expect(resolved.alerts.map((a) => [a.status, a.labels.alertname])).toEqual([['resolved', 'NetnsRouterGatewayDown']]);
    expect(describeAll(since(mark, routerIs('gatewayPort')))).toBe(describeAll([page, resolved]));
  }, 90_000);

  test('phase 2: a gateway that never answers ARP pages once, and resolves once when it answers', async () => {
    const { ns, dev } = routers.noArp;
    const mark = webhook.notifications.length;
    sending.add(ns); // traffic towards 10.86.0.254, which nobody owns: the neighbour stays incomplete/failed
    const page = await notified(mark, 'firing', routerIs('noArp'), 'the gateway that never answers');
    expect(page.receiver).toBe('netns-critical');
    expect(page.alerts.map((a) => [a.status, a.labels.alertname, a.labels.instance, a.labels.device])).toEqual([
      ['firing', 'NetnsRouterGatewayUnreachable', hostB.address, dev],
    ]);
    await sleep(GROUP_INTERVAL_MS + 1_000);

    const repaired = webhook.notifications.length;
    await execa('ip', ['-n', uplink, 'addr', 'add', '10.86.0.254/24', 'dev', 'up-b1']);
    const resolved = await notified(repaired, 'resolved', routerIs('noArp'), 'the gateway answering');
    expect(resolved.alerts.map((a) => [a.status, a.labels.alertname])).toEqual([['resolved', 'NetnsRouterGatewayUnreachable']]);
    expect(describeAll(since(mark, routerIs('noArp')))).toBe(describeAll([page, resolved]));
  }, 90_000);

  const uplinkRouters = ['uplink1', 'uplink2', 'uplink3'] as const;
  const onHostA = (labels: Record<string, string>) =>
    labels.instance === hostA.address || uplinkRouters.some((role) => labels.id === routers[role].id);

  test('phase 3: three routers on one host losing their uplink gateway at once page once, for the host', async () => {
    const mark = webhook.notifications.length;
    // The upstream gateway goes away for all three at once (one ip -batch).
    await execa('ip', ['-n', uplink, '-batch', '-'], { input: [1, 2, 3].map((n) => `addr del 10.87.${n}.254/24 dev up-u${n}\n`).join('') });
    const page = await notified(mark, 'firing', (l) => l.alertname === 'NetnsHostGatewayUnreachable', 'the host losing its uplink');
    expect(page.receiver).toBe('netns-critical');
    expect(page.alerts.map((a) => [a.status, a.labels.alertname, a.labels.instance])).toEqual([
      ['firing', 'NetnsHostGatewayUnreachable', hostA.address],
    ]);
    await sleep(GROUP_INTERVAL_MS + 1_000);
    expect(describeAll(since(mark, (l) => onHostA(l) && l.scope !== 'exporter'))).toBe(describeAll([page]));

    // The per-router alerts did fire; Alertmanager holds them back as inhibited, it did not miss them.
    const perRouter = (await alertmanager.alerts()).filter(
      (a) => a.labels.alertname === 'NetnsRouterGatewayUnreachable' && a.labels.instance === hostA.address,
    );
    expect(perRouter.map((a) => a.labels.id).sort()).toEqual(uplinkRouters.map((role) => routers[role].id).sort());
    for (const alert of perRouter) expect(alert.status.state, alert.labels.id).toBe('suppressed');
    for (const alert of perRouter) expect(alert.status.inhibitedBy.length, alert.labels.id).toBeGreaterThan(0);
  }, 90_000);

  test("phase 4: with host A's exporter stopped only NetnsExporterDown arrives for it, while host B still pages", async () => {
    const mark = webhook.notifications.length;
    await hostA.stop();
    // A new fault on host B during A's outage: inhibition is per host.
    await execa('ip', ['-n', uplink, 'addr', 'del', '10.87.4.254/24', 'dev', 'up-u4']);
    const down = await notified(mark, 'firing', (l) => l.alertname === 'NetnsExporterDown', "host A's exporter down");
    expect(down.receiver).toBe('netns-warning');
    expect(down.alerts.map((a) => [a.status, a.labels.alertname, a.labels.instance])).toEqual([
      ['firing', 'NetnsExporterDown', hostA.address],
    ]);
    const hostBPage = await notified(mark, 'firing', routerIs('hostBUplink'), "host B's new fault");
    expect(hostBPage.alerts.map((a) => [a.labels.alertname, a.labels.instance])).toEqual([
      ['NetnsRouterGatewayUnreachable', hostB.address],
    ]);
    await sleep(2 * GROUP_INTERVAL_MS + 1_000);
    // Nothing about host A's host and namespace alerts, not even a "resolved": the uplink fault is
    // not known to be over, only no longer seen. Exporter-scope alerts are left out: they tell the truth.
    expect(describeAll(since(mark, (l) => onHostA(l) && l.scope !== 'exporter'))).toBe('[]');
    expect(describeAll(since(mark, (l) => l.alertname === 'NetnsExporterDown'))).toBe(describeAll([down]));
    // The host alert is still active in Alertmanager, held back by NetnsExporterDown: the on-call sees
    // the exporter down, and the fault comes back (or resolves) once the host is scraped again.
    const inAlertmanager = await alertmanager.alerts();
    const exporterDown = inAlertmanager.find((a) => a.labels.alertname === 'NetnsExporterDown' && a.labels.instance === hostA.address);
    const held = inAlertmanager
      .filter((a) => a.labels.instance === hostA.address && a.labels.scope !== 'exporter')
      .map((a) => ({ alert: `${a.labels.alertname} ${a.labels.id ?? ''}`, state: a.status.state, inhibitedBy: a.status.inhibitedBy }));
    expect(held.map((a) => a.alert)).toContain('NetnsHostGatewayUnreachable ');
    expect(held).toEqual(held.map((a) => ({ ...a, state: 'suppressed', inhibitedBy: [exporterDown?.fingerprint] })));
  }, 90_000);

  test('every notification of the run went to the receiver its severity routes to', () => {
    expect(webhook.notifications.length).toBeGreaterThanOrEqual(6);
    for (const n of webhook.notifications) {
      const severities = new Set(n.alerts.map((a) => a.labels.severity));
      expect([...severities], describeAll([n])).toHaveLength(1);
      expect(n.path).toBe(`/${n.receiver}`);
      expect(n.receiver, describeAll([n])).toBe(severities.has('critical') ? 'netns-critical' : 'netns-warning');
    }
  });
});
