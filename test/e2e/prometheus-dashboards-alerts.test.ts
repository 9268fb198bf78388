// End to end with a real Prometheus: namespaces with traffic, the exporter, and Prometheus scraping it
// every second with the shipped recording and alert rules (durations shortened), plus a static target
// serving openstack-exporter's router series in its exact format. Every PromQL expression of both
// shipped dashboards (panels and variable queries, variables filled in) must be valid and return
// series with and without the openstack-exporter series and with and without a labels file, every
// alert expression must be valid, and one alert is made to fire for real.
//
// Panels on the router-diagnostics metrics (netstat, neighbours, carrier changes, conntrack stats,
// the scrape timeout) return data only with an exporter that exports them; the QoS panel only with
// --collector.tc (off by default) and a qdisc on a router port, which r1's gateway port gets.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listDashboardQueries } from '../../dashboards/src/queries.js';
import { alertConfig, buildAlertingRules, renderRulesFile, withDurations } from '../../src/alerting/rules.js';
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
  let fipNamespace: string;
  let dhcpNamespace: string;
  let traffic: NodeJS.Timeout | undefined;
  let labelsPath: string;
  let haConfs: string;
  let openstack: Server;
  let openstackAddress: string;
  // What the openstack-exporter stand-in serves: its router series for r1, or nothing.
  let serveOpenstack = true;
  const OPENSTACK_PROJECT = '9f3c1e0a6b5d4c2e8a7f0b1c2d3e4f50';

  beforeAll(async () => {
    lab = await createNetnsLab('e2e');
    dir = await mkdtemp(join(tmpdir(), 'netns-e2e-'));
    // r1 is named as Neutron names it (a UUID id), so that it can have an HA state file
    const { name: router, id: r1 } = await lab.addNeutronNamespaceWithId('qrouter');
    const { name: snat } = await lab.addNeutronNamespaceWithId('snat', r1);
    const dhcp = await lab.addNeutronNamespace('qdhcp', 'n1');
    const fip = await lab.addNeutronNamespace('fip', 'ext');
    const downRouter = await lab.addNeutronNamespace('qrouter', 'r2');
    fipNamespace = fip;
    dhcpNamespace = dhcp;
    routerId = r1;
    downRouterId = downRouter.slice('qrouter-'.length);

    await lab.vethPair({ ns: dhcp, dev: 'tap-n1', cidr: '10.70.0.2/24' }, { ns: router, dev: 'qr-n1', cidr: '10.70.0.1/24' });
    await lab.vethPair({ ns: router, dev: 'qg-r1', cidr: '10.80.0.1/24' }, { ns: fip, dev: 'fg-r1', cidr: '10.80.0.2/24' });
    await lab.vethPair({ ns: snat, dev: 'sg-r1', cidr: '10.90.0.1/24' }, { ns: fip, dev: 'fg-snat', cidr: '10.90.0.2/24' });
    // r2's gateway port exists but is down: NetnsRouterGatewayDown must fire for it.
    await lab.vethPair({ ns: downRouter, dev: 'qg-r2', cidr: '10.81.0.1/24' }, { ns: fip, dev: 'fg-r2', cidr: '10.81.0.2/24' });
    await lab.run(downRouter, ['ip', 'link', 'set', 'dev', 'qg-r2', 'down']);
    // A receiver whose MTU is below its peer's: the kernel drops the larger frames on this pair, a
    // real fault for the fleet's drop panels, which must show these namespaces and no other.
    await lab.vethPair({ ns: fip, dev: 'fg-mtu', cidr: '10.82.0.2/24' }, { ns: dhcp, dev: 'tap-mtu', cidr: '10.82.0.1/24' });
    await lab.run(dhcp, ['ip', 'link', 'set', 'dev', 'tap-mtu', 'mtu', '1280']);
    // Neutron QoS on r1's gateway port, for the router dashboard's QoS panel (the exporter runs with
    // --collector.tc): a tbf bandwidth limit, and an ingress u32 filter with an action (mirred, to a
    // spare veth: this kernel has no act_police, and every action reports the same statistics).
    await lab.run(router, ['ip', 'link', 'add', 'mirror-r1', 'type', 'veth', 'peer', 'name', 'mirror-r1b']);
    await lab.run(router, ['ip', 'link', 'set', 'dev', 'mirror-r1', 'up']);
    await lab.run(router, ['ip', 'link', 'set', 'dev', 'mirror-r1b', 'up']);
    await lab.run(router, ['tc', 'qdisc', 'add', 'dev', 'qg-r1', 'root', 'tbf', 'rate', '10mbit', 'burst', '32kbit', 'latency', '400ms']);
    await lab.run(router, ['tc', 'qdisc', 'add', 'dev', 'qg-r1', 'ingress']);
    await lab.run(router, [
      ...['tc', 'filter', 'add', 'dev', 'qg-r1', 'parent', 'ffff:', 'protocol', 'all', 'prio', '1', 'u32', 'match', 'u32', '0', '0'],
      ...['action', 'mirred', 'egress', 'mirror', 'dev', 'mirror-r1'],
    ]);
    await lab.run(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await lab.run(dhcp, ['ip', 'route', 'add', 'default', 'via', '10.70.0.1']);
    const r = (argv: string[]) => lab.run(router, argv);
    await r(['iptables', '-N', 'neutron-l3-agent-INPUT']);
    await r(['iptables', '-A', 'INPUT', '-j', 'neutron-l3-agent-INPUT']);
    await r([
      'iptables',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'udp',
      '--dport',
      '9999',
      '-m',
      'comment',
      '--comment',
      'drop probes',
      '-j',
      'DROP',
    ]);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '--dport', '9998', '-j', 'REJECT']);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '-m', 'comment', '--comment', 'accept udp', '-j', 'ACCEPT']);
    await r([
      'iptables',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-o',
      'qg-r1',
      '-m',
      'comment',
      '--comment',
      'snat to gateway',
      '-j',
      'SNAT',
      '--to-source',
      '10.80.0.1',
    ]);
    await r(['iptables', '-t', 'nat', '-A', 'PREROUTING', '-d', '10.80.0.100', '-j', 'DNAT', '--to-destination', '10.70.0.2']);
    await lab.run(snat, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'sg-r1', '-j', 'MASQUERADE']);

    labelsPath = join(dir, 'labels.yaml');
    await writeFile(labelsPath, `${routerId}: { project: demo, router_name: edge-r1 }\n`);
    // openstack-exporter's exposition for r1, label sets as its neutron collector writes them.
    openstack = createServer((request, response) => {
      const body = serveOpenstack
        ? [
            '# HELP openstack_neutron_router router',
            '# TYPE openstack_neutron_router gauge',
            `openstack_neutron_router{admin_state_up="true",external_network_id="5b1e3c2a-0d4f-4e6a-9b8c-7d6e5f4a3b2c",id="${routerId}",name="router1",project_id="${OPENSTACK_PROJECT}",status="ACTIVE"} 1`,
            '# HELP openstack_neutron_l3_agent_of_router l3_agent_of_router',
            '# TYPE openstack_neutron_l3_agent_of_router gauge',
            `openstack_neutron_l3_agent_of_router{agent_admin_up="true",agent_alive="true",agent_host="127.0.0.1",ha_state="active",l3_agent_id="ddbf087c-e38f-4a73-bcb3-c38f2a719a03",router_id="${routerId}"} 1`,
            '',
          ].join('\n')
        : '';
      response.writeHead(request.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((resolve) => openstack.listen(0, '127.0.0.1', resolve));
    openstackAddress = `127.0.0.1:${(openstack.address() as { port: number }).port}`;
    const rules = join(dir, 'rules.yml');
    await writeFile(rules, renderRulesFile(withDurations(alertConfig, '0s', '5s')));

    // this host is r1's HA primary (what the role timeline and the last-change panel show)
    haConfs = join(dir, 'ha_confs');
    await mkdir(join(haConfs, routerId), { recursive: true });
    await writeFile(join(haConfs, routerId, 'state'), 'primary');
    exporter = await startExporter([
      `--netns.include=${escapeRegex(lab.prefix)}|^(qrouter|snat)-${routerId}$`,
      `--netns.labels-file=${labelsPath}`,
      `--neutron.ha-confs-dir=${haConfs}`,
      '--collector.tc',
    ]);
    prometheus = await startPrometheus({
      job: JOB,
      targets: [exporter.address],
      ruleFiles: [rules],
      extraJobs: [{ job: 'openstack', targets: [openstackAddress] }],
    });

    const sendTraffic = async () => {
      await lab.sendUdp(dhcp, '10.70.0.1', 9999, 3);
      await lab.sendUdp(dhcp, '10.70.0.1', 9998, 1);
      await lab.sendUdp(dhcp, '10.70.0.1', 7000, 3);
      await lab.sendUdp(dhcp, '10.80.0.2', 7001, 3);
      await lab.sendUdp(fip, '10.80.0.100', 7002, 1);
      await lab.sendUdp(fip, '10.82.0.1', 7010, 2, 1400);
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
    if (openstack) await new Promise((resolve) => openstack.close(resolve));
    await lab?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const vars = () => ({
    job: JOB,
    instance: exporter.address,
    router: routerId,
    router_prefix: routerId.slice(0, 11),
    __rate_interval: '5s',
    __interval: '1s',
    __range: '1m',
  });

  // Fleet panels that list only faults filter in PromQL. The lab drops packets (the MTU pair) but has
  // no failing collection and no interface errors, so those panels are empty by design. Each must
  // return series once its fault filter (`) > 0)`, `) == 0)`) also admits healthy values: then only
  // the filter emptied it.
  const FAULT_ONLY_PANELS =
    /^(Namespaces whose collection fails|Interface errors, top namespaces|Interfaces with errors or drops in the selected time range) \[/;
  const admitHealthy = (expr: string) => expr.replaceAll(') > 0)', ') >= 0)').replaceAll(') == 0)', ') >= 0)');

  /** Every query of both dashboards; the panels that came back empty. */
  async function emptyPanels(): Promise<string[]> {
    const empty: string[] = [];
    const run = (file: string, panel: string, expr: string) =>
      prometheus.query(expr).catch((error: unknown) => {
        throw new Error(`${file} ${panel}: ${error instanceof Error ? error.message : String(error)}\n${expr}`);
      });
    for (const file of ['netns-fleet-overview.json', 'netns-tenant-router.json']) {
      const queries = listDashboardQueries(await shippedDashboard(file), vars());
      expect(queries.length).toBeGreaterThan(10);
      for (const { panel, expr } of queries) {
        if ((await run(file, panel, expr)).length > 0) continue;
        const relaxed = admitHealthy(expr);
        if (FAULT_ONLY_PANELS.test(panel) && relaxed !== expr && (await run(file, panel, relaxed)).length > 0) continue;
        empty.push(`${file} ${panel}: ${expr}`);
      }
    }
    return empty;
  }

  /** The router variable as Grafana shows it: its query_result lines through its regex. */
  async function routerChoices(): Promise<{ value: string; text: string }[]> {
    const board = await shippedDashboard('netns-tenant-router.json');
    const variable = board.templating.list!.find((v) => v.name === 'router')!;
    const expr = listDashboardQueries(board, vars()).find((q) => q.panel === 'variable $router')!.expr;
    const regex = new RegExp(/^\/(.*)\/$/.exec(variable.regex!)![1]!);
    return (await prometheus.query(expr)).map((series) => {
      const labels = Object.entries(series.metric)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}="${v}"`);
      const line = `{${labels.join(', ')}} ${series.value[1]} ${Math.round(series.value[0] * 1000)}`;
      return { ...(regex.exec(line)!.groups as { value: string; text: string }) };
    });
  }

  /** Waits until the names record shows r1's router namespace with `names` (undefined: the label is absent). */
  async function namesBecome(names: { project?: string; router_name?: string }): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const last: Record<string, string>[] = (await prometheus.query(`netns:netns_info:names{netns="qrouter-${routerId}"}`)).map(
        (s) => s.metric,
      );
      if (last.length === 1 && last[0]!.project === names.project && last[0]!.router_name === names.router_name) return;
      if (Date.now() > deadline) {
        const openstackUp = await prometheus.query('up{job="openstack"}');
        const routers = await prometheus.query('openstack_neutron_router');
        throw new Error(
          `names of qrouter-${routerId} stayed ${JSON.stringify(last)}, wanted ${JSON.stringify(names)} ` +
            `(openstack target up: ${JSON.stringify(openstackUp)}, its routers: ${JSON.stringify(routers)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  // The phases run in order: openstack-exporter and labels file, labels file only, neither, openstack-exporter only.
  test('with openstack-exporter series and a labels file: openstack names win, every query returns series', async () => {
    // The labels file reaches netns_info of every namespace of the router; the names record prefers openstack-exporter's.
    const info = await prometheus.query(`netns_info{job="${JOB}", id="${routerId}", router_name="edge-r1", project="demo"}`);
    expect(info.map((series) => series.metric.netns).sort()).toEqual([`qrouter-${routerId}`, `snat-${routerId}`]);
    await namesBecome({ project: OPENSTACK_PROJECT, router_name: 'router1' });
    expect(await routerChoices()).toContainEqual({ value: routerId, text: `${OPENSTACK_PROJECT} / router1 / ${routerId}` });
    expect(await emptyPanels(), 'panels without series').toEqual([]);
  }, 120_000);

  test('with a labels file only: its names, every query returns series', async () => {
    serveOpenstack = false;
    await namesBecome({ project: 'demo', router_name: 'edge-r1' });
    expect(await routerChoices()).toContainEqual({ value: routerId, text: `demo / edge-r1 / ${routerId}` });
    expect(await emptyPanels(), 'panels without series').toEqual([]);
  }, 120_000);

  test('with neither: routers by id, every query returns series', async () => {
    await writeFile(labelsPath, '{}\n');
    await namesBecome({});
    expect(await routerChoices()).toContainEqual({ value: routerId, text: `- / - / ${routerId}` });
    expect(await emptyPanels(), 'panels without series').toEqual([]);
  }, 120_000);

  test('with openstack-exporter series only: its names, every query returns series', async () => {
    serveOpenstack = true;
    await namesBecome({ project: OPENSTACK_PROJECT, router_name: 'router1' });
    expect(await emptyPanels(), 'panels without series').toEqual([]);
  }, 120_000);

  test('the fleet drop panels show the namespaces that drop, and only them', async () => {
    const board = await shippedDashboard('netns-fleet-overview.json');
    const queries = listDashboardQueries(board, vars()).filter((q) => q.panel.startsWith('Interface drops, top namespaces '));
    expect(queries).toHaveLength(2);
    const dropping = new Set<string>();
    for (const { expr } of queries) for (const series of await prometheus.query(expr)) dropping.add(series.metric.netns!);
    expect(dropping.size).toBeGreaterThan(0);
    for (const netns of dropping) expect([fipNamespace, dhcpNamespace], `${netns} shows in the drop panel`).toContain(netns);
  });

  test('the router dashboard calls a single-host router whose qg- is down "down", never "backup"', async () => {
    const board = await shippedDashboard('netns-tenant-router.json');
    const queries = listDashboardQueries(board, { ...vars(), router: downRouterId, router_prefix: downRouterId.slice(0, 11) });
    const role = await prometheus.query(queries.find((q) => q.panel === 'HA role per host [A]')!.expr);
    expect(role.map((series) => [series.metric.netns, series.metric.state, series.metric.source])).toEqual([
      [`qrouter-${downRouterId}`, 'down', 'inferred: qg- down on every host'],
    ]);
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

  // Last: r1 is a backup for a moment here, which the gateway alerts above would see.
  test("a failover and back reach Prometheus: the change count, the change time and the router's HA panels", async () => {
    const stateFile = join(haConfs, routerId, 'state');
    const changes = `netns_router_ha_changes_total{job="${JOB}", id="${routerId}"}`;
    await prometheus.waitFor(`${changes} == 0`, 10_000);
    for (const [role, count] of [
      ['backup', 1],
      ['primary', 2],
    ] as const) {
      await writeFile(stateFile, role); // as the L3 agent writes it
      await prometheus.waitFor(`${changes} == ${count}`, 15_000);
    }
    const written = Number((await stat(stateFile, { bigint: true })).mtimeNs) / 1e9;
    const changed = await prometheus.query(`netns_router_ha_last_change_timestamp_seconds{job="${JOB}", id="${routerId}"}`);
    expect(changed.map((series) => Number(series.value[1]))).toEqual([written]);

    const queries = listDashboardQueries(await shippedDashboard('netns-tenant-router.json'), vars());
    const panel = async (title: string) => prometheus.query(queries.find((q) => q.panel === title)!.expr);
    expect((await panel('HA role over time [A]')).map((series) => [series.metric.instance, series.value[1]])).toEqual([
      [exporter.address, '1'],
    ]);
    const [since] = await panel('Last HA role change [A]');
    expect(since!.value[0] - Number(since!.value[1])).toBeCloseTo(written, 0);
  }, 60_000);
});
