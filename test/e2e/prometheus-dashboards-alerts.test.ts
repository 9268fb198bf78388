// End to end with a real Prometheus: namespaces with traffic, the exporter, and Prometheus scraping it
// every second with the shipped alert rules (durations shortened). Every PromQL expression of both
// shipped dashboards (panels and variable queries, variables filled in) must be valid and return
// series, every alert expression must be valid, and one alert is made to fire for real.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listDashboardQueries } from '../../dashboards/src/queries.js';
import { alertConfig, buildAlertingRules, renderRulesFile, withDurations } from '../../deploy/prometheus/rules.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const JOB = 'netns-exporter';
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function shippedDashboard(file: string): Promise<dashboard.Dashboard> {
  return JSON.parse(await readFile(new URL(`../../dashboards/${file}`, import.meta.url), 'utf8')) as dashboard.Dashboard;
}

describe.skipIf(skipUnlessRoot('end-to-end tests with a real Prometheus'))('dashboards and alerts against a real Prometheus', () => {
  let lab: NetnsLab;
  let exporter: ExporterProcess;
  let prometheus: PrometheusServer;
  let dir: string;
  let routerId: string;
  let downRouterId: string;
  let traffic: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    lab = await createNetnsLab('e2e');
    dir = await mkdtemp(join(tmpdir(), 'netns-e2e-'));
    const router = await lab.addNeutronNamespace('qrouter', 'r1');
    const snat = await lab.addNeutronNamespace('snat', 'r1');
    const dhcp = await lab.addNeutronNamespace('qdhcp', 'n1');
    const fip = await lab.addNeutronNamespace('fip', 'ext');
    const downRouter = await lab.addNeutronNamespace('qrouter', 'r2');
    routerId = router.slice('qrouter-'.length);
    downRouterId = downRouter.slice('qrouter-'.length);

    await lab.vethPair({ ns: dhcp, dev: 'tap-n1', cidr: '10.70.0.2/24' }, { ns: router, dev: 'qr-n1', cidr: '10.70.0.1/24' });
    await lab.vethPair({ ns: router, dev: 'qg-r1', cidr: '10.80.0.1/24' }, { ns: fip, dev: 'fg-r1', cidr: '10.80.0.2/24' });
    await lab.vethPair({ ns: snat, dev: 'sg-r1', cidr: '10.90.0.1/24' }, { ns: fip, dev: 'fg-snat', cidr: '10.90.0.2/24' });
    // r2's gateway port exists but is down: NetnsRouterGatewayDown must fire for it.
    await lab.vethPair({ ns: downRouter, dev: 'qg-r2', cidr: '10.81.0.1/24' }, { ns: fip, dev: 'fg-r2', cidr: '10.81.0.2/24' });
    await lab.run(downRouter, ['ip', 'link', 'set', 'dev', 'qg-r2', 'down']);
    await lab.run(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await lab.run(dhcp, ['ip', 'route', 'add', 'default', 'via', '10.70.0.1']);
    const r = (argv: string[]) => lab.run(router, argv);
    await r(['iptables', '-N', 'neutron-l3-agent-INPUT']);
    await r(['iptables', '-A', 'INPUT', '-j', 'neutron-l3-agent-INPUT']);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '--dport', '9999', '-m', 'comment', '--comment', 'drop probes', '-j', 'DROP']);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '--dport', '9998', '-j', 'REJECT']);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '-m', 'comment', '--comment', 'accept udp', '-j', 'ACCEPT']);
    await r(['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-r1', '-m', 'comment', '--comment', 'snat to gateway', '-j', 'SNAT', '--to-source', '10.80.0.1']);
    await r(['iptables', '-t', 'nat', '-A', 'PREROUTING', '-d', '10.80.0.100', '-j', 'DNAT', '--to-destination', '10.70.0.2']);
    await lab.run(snat, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'sg-r1', '-j', 'MASQUERADE']);

    const labels = join(dir, 'labels.yaml');
    await writeFile(labels, `${routerId}: { project: demo, router_name: edge-r1 }\n`);
    const rules = join(dir, 'rules.yml');
    await writeFile(rules, renderRulesFile(withDurations(alertConfig, '0s', '5s')));

    exporter = await startExporter([`--netns.include=${escapeRegex(lab.prefix)}`, `--netns.labels-file=${labels}`]);
    prometheus = await startPrometheus({ job: JOB, targets: [exporter.address], ruleFiles: [rules] });

    const sendTraffic = async () => {
      await lab.sendUdp(dhcp, '10.70.0.1', 9999, 3);
      await lab.sendUdp(dhcp, '10.70.0.1', 9998, 1);
      await lab.sendUdp(dhcp, '10.70.0.1', 7000, 3);
      await lab.sendUdp(dhcp, '10.80.0.2', 7001, 3);
      await lab.sendUdp(fip, '10.80.0.100', 7002, 1);
    };
    await sendTraffic();
    traffic = setInterval(() => void sendTraffic().catch(() => undefined), 1000);
    // Enough scrapes for rate() over the 5s windows the queries below use.
    await prometheus.waitFor(`count_over_time(netns_info{job="${JOB}"}[1m]) >= 8`, 60_000);
  }, 120_000);

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    await prometheus?.stop();
    await exporter?.stop();
    await lab?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const vars = () => ({
    job: JOB,
    instance: exporter.address,
    router: routerId,
    __rate_interval: '5s',
    __interval: '1s',
    __range: '1m',
  });

  for (const file of ['netns-fleet-overview.json', 'netns-tenant-router.json']) {
    test(`every query of ${file} is valid and returns series`, async () => {
      const queries = listDashboardQueries(await shippedDashboard(file), vars());
      expect(queries.length).toBeGreaterThan(10);
      const empty: string[] = [];
      for (const { panel, expr } of queries) {
        const result = await prometheus.query(expr).catch((error: Error) => {
          throw new Error(`${panel}: ${error.message}\n${expr}`);
        });
        if (result.length === 0) empty.push(`${panel}: ${expr}`);
      }
      expect(empty, 'panels without series').toEqual([]);
    });
  }

  test('names from the labels file reach every namespace of the router', async () => {
    const result = await prometheus.query(`netns_info{job="${JOB}", id="${routerId}", router_name="edge-r1", project="demo"}`);
    expect(result.map((series) => series.metric.netns).sort()).toEqual([`qrouter-${routerId}`, `snat-${routerId}`]);
  });

  test('every alert expression is valid PromQL', async () => {
    for (const rule of buildAlertingRules(withDurations(alertConfig, '0s', '5s'))) {
      await expect(prometheus.query(rule.expr), rule.alert).resolves.toBeInstanceOf(Array);
    }
  });

  test('a router whose gateway port is down fires NetnsRouterGatewayDown, the healthy one does not', async () => {
    const deadline = Date.now() + 30_000;
    let firing: { labels: Record<string, string>; state: string }[] = [];
    while (Date.now() < deadline) {
      firing = (await prometheus.alerts()).filter((a) => a.labels.alertname === 'NetnsRouterGatewayDown' && a.state === 'firing');
      if (firing.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(firing.map((a) => a.labels.id)).toEqual([downRouterId]);
    expect(firing[0]?.labels.device).toBe('qg-r2');
  });

  test('no alert fires for collection failures or a down exporter', async () => {
    const alerts = await prometheus.alerts();
    expect(alerts.filter((a) => ['NetnsCollectionFailing', 'NetnsExporterDown'].includes(a.labels.alertname ?? ''))).toEqual([]);
  });
});
