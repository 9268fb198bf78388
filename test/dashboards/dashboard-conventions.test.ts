// Conventions every panel of every shipped dashboard follows (issue 3): descriptions, the templated
// datasource, $__rate_interval, bps/pps units, rule legends, transmit below the axis, a tidy grid.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, test } from 'vitest';
import { ALERT_THRESHOLDS, type PanelThresholds } from '../../dashboards/src/alert-thresholds.js';
import {
  buildFleetOverviewDashboard,
  buildTenantRouterDashboard,
  renderDashboardJson,
  SHIPPED_DASHBOARDS,
} from '../../dashboards/src/index.js';
import { allPanels } from '../../dashboards/src/queries.js';
import { alertConfig } from '../../src/alerting/rules.js';
import { bareMetrics, metricSelectors, rangeWindows, ratedMetrics } from './promql-text.js';

interface Target {
  readonly expr: string;
  readonly refId: string;
  readonly legendFormat?: string;
  readonly datasource?: dashboard.DataSourceRef;
}

const targetsOf = (panel: dashboard.Panel): Target[] => (panel.targets ?? []) as unknown as Target[];
const TEMPLATED = { type: 'prometheus', uid: '${datasource}' };

/** The unit a rate of this counter must be shown in. */
function expectedRateUnit(metric: string): string | undefined {
  if (metric.endsWith('_bytes_total')) return 'bps';
  if (/_(packets|errs|drop)_total$/.test(metric)) return 'pps';
  return undefined;
}

for (const shipped of SHIPPED_DASHBOARDS) {
  const board = shipped.build();
  const panels = allPanels(board);

  describe(shipped.file, () => {
    test('has panels, each with a title, a description and at least one query', () => {
      expect(panels.length).toBeGreaterThan(10);
      for (const panel of panels) {
        expect(panel.title, `panel ${panel.id}`).toBeTruthy();
        expect(panel.description?.length ?? 0, `"${panel.title}" has no description`).toBeGreaterThan(20);
        expect(targetsOf(panel).length, `"${panel.title}" has no query`).toBeGreaterThan(0);
      }
    });

    test('every panel and query reads from the templated datasource; no UID is hard-coded', () => {
      expect(board.templating.list?.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const panel of panels) {
        expect(panel.datasource, panel.title).toEqual(TEMPLATED);
        for (const target of targetsOf(panel)) expect(target.datasource, `${panel.title} [${target.refId}]`).toEqual(TEMPLATED);
      }
      for (const variable of board.templating.list ?? []) {
        if (variable.type === 'query') expect(variable.datasource, `variable ${variable.name}`).toEqual(TEMPLATED);
      }
      const uids = [...renderDashboardJson(board).matchAll(/"uid": "([^"]*)"/g)].map((m) => m[1]);
      expect(uids.filter((uid) => uid !== '${datasource}' && uid !== board.uid)).toEqual([]);
    });

    test('rates use $__rate_interval and no range window is a fixed duration', () => {
      for (const panel of panels) {
        for (const { expr, refId } of targetsOf(panel)) {
          const where = `${panel.title} [${refId}]: ${expr}`;
          for (const window of rangeWindows(expr)) expect(['$__rate_interval', '$__range'], where).toContain(window);
          for (const m of expr.matchAll(/\b(rate|irate)\([^[]*\[([^\]]*)\]/g)) expect(m[2], where).toBe('$__rate_interval');
          expect(expr, where).not.toMatch(/\birate\(/);
        }
      }
    });

    test('throughput is in bits per second (bps) and packet, error and drop rates in pps', () => {
      let checked = 0;
      for (const panel of panels) {
        for (const { expr, refId } of targetsOf(panel)) {
          if (!/\brate\(|:rate5m\b/.test(expr)) continue;
          for (const metric of ratedMetrics(expr)) {
            const unit = expectedRateUnit(metric);
            if (unit === undefined) continue;
            checked++;
            expect(panel.fieldConfig?.defaults.unit, `${panel.title} [${refId}] rates ${metric}`).toBe(unit);
            if (unit === 'bps') expect(expr, `${panel.title} [${refId}] converts bytes to bits`).toMatch(/\* 8\b/);
          }
        }
      }
      expect(checked).toBeGreaterThan(3);
    });

    test("every metric, Prometheus' up and scrape series included, goes through a selector with the cluster and job variables; no instance is hard-coded", () => {
      let prometheusOwn = 0;
      for (const panel of panels) {
        for (const { expr, refId } of targetsOf(panel)) {
          const where = `${panel.title} [${refId}]: ${expr}`;
          expect(bareMetrics(expr), where).toEqual([]);
          for (const { metric, matchers } of metricSelectors(expr)) {
            if (/^(up|scrape_)/.test(metric)) prometheusOwn++;
            expect(matchers, where).toContain('cluster=~"$cluster"');
            expect(matchers, where).toContain('job=~"$job"');
            // A repeated panel narrows to its gateway host, always within the chosen hosts.
            for (const m of matchers.matchAll(/instance\s*=~?\s*"([^"]*)"/g)) expect(['$instance', '$gateway_host'], where).toContain(m[1]);
            if (matchers.includes('instance=~"$gateway_host"')) expect(matchers, where).toContain('instance=~"$instance"');
          }
        }
      }
      if (shipped.file === 'netns-fleet-overview.json') expect(prometheusOwn).toBeGreaterThan(3);
    });

    test('panels showing receive and transmit draw transmit below the axis', () => {
      let checked = 0;
      for (const panel of panels.filter((p) => p.type === 'timeseries')) {
        const targets = targetsOf(panel);
        // A query summing both directions (receive + transmit) stays above the axis.
        const transmit = targets.filter((t) => t.expr.includes('_transmit_') && !t.expr.includes('_receive_')).map((t) => t.refId);
        const receive = targets.filter((t) => t.expr.includes('_receive_') && !t.expr.includes('_transmit_')).map((t) => t.refId);
        if (transmit.length === 0 || receive.length === 0) continue;
        checked++;
        const mirrored = (panel.fieldConfig?.overrides ?? [])
          .filter(
            (o) => o.matcher.id === 'byFrameRefID' && o.properties.some((p) => p.id === 'custom.transform' && p.value === 'negative-Y'),
          )
          .map((o) => o.matcher.options as string);
        expect(mirrored.sort(), panel.title).toEqual(transmit.sort());
      }
      expect(checked).toBeGreaterThan(0);
    });

    test('iptables rule panels show chain, target and comment in the legend', () => {
      for (const panel of panels) {
        for (const target of targetsOf(panel)) {
          if (!target.expr.includes('netns_iptables_rule_') || panel.type === 'table' || panel.type === 'stat') continue;
          for (const label of ['{{chain}}', '{{target}}', '{{comment}}']) {
            expect(target.legendFormat, `${panel.title} [${target.refId}]`).toContain(label);
          }
        }
      }
    });

    test('panels tile the 24-column grid inside their rows without overlapping', () => {
      const placed = (board.panels ?? []).map((p) => ({ title: p.title, type: p.type, ...p.gridPos! }));
      for (const p of placed) {
        expect(p.x + p.w, p.title).toBeLessThanOrEqual(24);
        if (p.type === 'row') expect(p.w, p.title).toBe(24);
      }
      for (const [i, a] of placed.entries()) {
        for (const b of placed.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `"${a.title}" overlaps "${b.title}"`).toBe(false);
        }
      }
      expect(board.panels?.[0]?.type, 'the dashboard starts with a row').toBe('row');
    });

    test('panel ids are unique', () => {
      const ids = (board.panels ?? []).flatMap((p) => [
        p.id,
        ...(p.type === 'row' ? (p as dashboard.RowPanel).panels.map((q) => q.id) : []),
      ]);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });
}

describe('tenant router dashboard', () => {
  const board = SHIPPED_DASHBOARDS.find((d) => d.file === 'netns-tenant-router.json')!.build();
  const variables = new Map((board.templating.list ?? []).map((v) => [v.name, v]));

  test('is driven by the datasource, instance and router variables; routers are picked by project / name / id', () => {
    for (const name of ['datasource', 'instance', 'router', 'router_prefix']) expect(variables.has(name), name).toBe(true);
    const router = variables.get('router')!;
    expect(router.query).toMatch(
      /^query_result\(max by \(id, router_label\) \(label_join\(.*netns:netns_info:names\{.*kind=~"qrouter\|snat".*"router_label", " \/ ", "project", "router_name", "id"\)\)\)$/,
    );
    expect(router.multi).toBe(false);
    // Grafana applies the regex to each query_result line: the id is the value, the label the text.
    const regex = /^\/(.*)\/$/.exec(router.regex ?? '')![1]!;
    const line =
      '{id="5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10", router_label="demo / router1 / 5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10"} 1 1700000000000';
    expect(new RegExp(regex).exec(line)?.groups).toEqual({
      value: '5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10',
      text: 'demo / router1 / 5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10',
    });
    const prefix = /^\/(.*)\/$/.exec(variables.get('router_prefix')!.regex ?? '')![1]!;
    expect(new RegExp(prefix).exec(line)?.groups).toEqual({ value: '5d2c8b7e-0f' });
    expect(variables.get('instance')).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
    expect(board.panels?.[0]?.title).toBe('Router ${router:text}');
  });

  test("namespace panels cover exactly the router's qrouter- and snat- namespaces and its own ports in fip- namespaces", () => {
    let fip = 0;
    for (const panel of allPanels(board)) {
      for (const { expr, refId } of targetsOf(panel)) {
        for (const { metric, matchers } of metricSelectors(expr)) {
          const where = `${panel.title} [${refId}] ${metric}`;
          // The placement table deliberately looks across hosts: it lists them by router id.
          if (metric === 'netns:netns_info:names') {
            expect(matchers, where).toContain('id=~"$router"');
            continue;
          }
          expect(matchers, where).toContain('instance=~"$instance"');
          if (matchers.includes('netns=~"fip-.*"')) {
            fip++;
            expect(matchers, `${where}: a fip- namespace serves every router of the host`).toContain(
              'device=~"fpr-$router_prefix.*|fg-.*"',
            );
          } else {
            expect(matchers, where).toContain('netns=~"qrouter-$router|snat-$router"');
          }
        }
      }
    }
    expect(fip).toBeGreaterThan(5);
  });

  test('busiest rules leave out jumps to other chains', () => {
    const busiest = allPanels(board).find((p) => p.title === 'Busiest rules')!;
    expect(targetsOf(busiest)[0]!.expr).toMatch(
      /unless on\(cluster, job, instance, netns, backend, family, table, target\) label_replace\(netns_iptables_chain_rules\{.*\}, "target", "\$1", "chain", "\(\.\+\)"\)/,
    );
  });

  test('annotates rule-set changes and firing alerts of the router', () => {
    const names = (board.annotations?.list ?? []).map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Rule-set changes', 'Firing alerts']));
  });

  test('has the panels issue 3 asks for', () => {
    const titles = allPanels(board).map((p) => p.title);
    for (const title of [
      'Busiest interfaces on all hosts',
      'Throughput on $gateway_host',
      'Packets on $gateway_host',
      'Errors',
      'Drops',
      'Interface state',
      'Busiest rules',
      'DROP and REJECT hits',
      'SNAT and DNAT hits',
      'Built-in chain policy hits',
      'Conntrack entries against limit',
      'HA role per host',
      'Collector health',
      'Error breakdown',
      'Forwarding discards',
      'Conntrack drops',
      'Neighbours by state',
      'Carrier changes',
    ]) {
      expect(titles).toContain(title);
    }
  });
});

describe('tenant router dashboard at scale and on OVN', () => {
  const board = buildTenantRouterDashboard();
  const variables = new Map((board.templating.list ?? []).map((v) => [v.name, v]));

  test('repeats panels only over the gateway hosts (qg- ports), never over every host of a DVR router', () => {
    const repeated = allPanels(board).filter((p) => p.repeat !== undefined);
    expect(repeated.map((p) => p.title)).toEqual(['Throughput on $gateway_host', 'Packets on $gateway_host']);
    for (const panel of repeated) {
      expect(panel.repeat, panel.title).toBe('gateway_host');
      for (const { expr, refId } of targetsOf(panel)) {
        for (const { matchers } of metricSelectors(expr))
          expect(matchers, `${panel.title} [${refId}]`).toContain('instance=~"$gateway_host"');
      }
    }
    const gatewayHosts = variables.get('gateway_host')!;
    expect(gatewayHosts.query).toBe(
      'label_values(netns_network_info{cluster=~"$cluster", job=~"$job", instance=~"$instance", netns=~"qrouter-$router|snat-$router", device=~"qg-.*"}, instance)',
    );
    // One panel over every host instead, limited to the busiest interfaces.
    const busiest = allPanels(board).find((p) => p.title === 'Busiest interfaces on all hosts')!;
    for (const { expr } of targetsOf(busiest)) expect(expr).toMatch(/^topk\(20, /);
  });

  test('the HA role trusts every keepalived state and infers "backup" only while another host has the qg- port up', () => {
    const role = targetsOf(allPanels(board).find((p) => p.title === 'HA role per host')!)[0]!.expr;
    // keepalived's fault (and unknown) are shown as they are, and keep the host out of the inference.
    expect(role).toMatch(/^label_replace\(max by \(cluster, job, instance, netns, state\) \(netns_router_ha_state\{[^}]*\} == 1\)/);
    expect(role).not.toMatch(/netns_router_ha_state\{[^}]*state=/);
    const branches = role.split(' or on(cluster, job, instance) ');
    expect(branches).toHaveLength(4);
    expect(branches[2]).toMatch(/ and on\(cluster, job\) max by \(cluster, job\) \(.*operstate!~.*\), "state", "backup"/);
    expect(branches[3]).toMatch(/ unless on\(cluster, job\) max by \(cluster, job\) \(.*operstate!~.*\), "state", "down"/);
  });

  test('says that on OVN only ovnmeta- namespaces exist and per-router panels stay empty', () => {
    expect(board.description).toMatch(/OVN.*ovnmeta-.*fleet overview/);
    expect(allPanels(board).find((p) => p.title === 'Where this router lives')!.description).toMatch(/OVN.*ovnmeta-/);
  });
});

describe('fleet overview dashboard', () => {
  const board = SHIPPED_DASHBOARDS.find((d) => d.file === 'netns-fleet-overview.json')!.build();

  test('has the panels issue 3 asks for', () => {
    const titles = allPanels(board).map((p) => p.title);
    for (const title of [
      'Namespaces by kind',
      'Namespaces by kind per host',
      'Top namespaces by receive throughput',
      'Top namespaces by transmit throughput',
      'Interfaces with errors or drops in the selected time range',
      'Conntrack use against limit, highest first',
      'Namespaces whose collection fails',
      'Scrape and collection duration',
      'Throughput per project',
      'Top routers by throughput',
      'Exporter CPU',
      'Exporter memory',
      'Event-loop lag',
      'Labels file',
    ]) {
      expect(titles).toContain(title);
    }
  });

  test('the instance variable can select several hosts or all; kind, project and cluster filter too', () => {
    const variables = new Map((board.templating.list ?? []).map((v) => [v.name, v]));
    expect(variables.get('instance')).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
    expect(variables.get('kind')).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
    expect(variables.get('project')).toMatchObject({ includeAll: true, allValue: '.*' });
    expect(variables.get('cluster')).toMatchObject({ includeAll: true, allValue: '.*' });
  });

  test('no panel fetches every namespace x collector pair: failing collections are selected in PromQL (== 0)', () => {
    let checked = 0;
    for (const panel of allPanels(board)) {
      for (const { expr, refId } of targetsOf(panel)) {
        if (!expr.includes('netns_collector_success')) continue;
        checked++;
        const aggregatedWithoutNetns = /^(count|sum|max|min)( by \((?![^)]*netns)[^)]*\))? ?\(/.test(expr);
        expect(aggregatedWithoutNetns || expr.includes(') == 0)'), `${panel.title} [${refId}]: ${expr}`).toBe(true);
      }
      for (const t of panel.transformations ?? []) expect(t.id, `${panel.title} filters rows in the browser`).not.toBe('filterByValue');
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    const table = allPanels(board).find((p) => p.title === 'Namespaces whose collection fails')!;
    for (const { expr } of targetsOf(table)) expect(expr).toContain('[$__range]) == 0)');
  });

  test('top error and drop panels keep only non-zero series, in PromQL', () => {
    for (const title of [
      'Interface errors, top namespaces',
      'Interface drops, top namespaces',
      'Interfaces with errors or drops in the selected time range',
    ]) {
      const targets = targetsOf(allPanels(board).find((p) => p.title === title)!);
      expect(targets.length, title).toBeGreaterThan(1);
      for (const { expr, refId } of targets) expect(expr, `${title} [${refId}]`).toMatch(/^topk\(\d+, \(.*\) > 0\)$/);
    }
  });

  test('router and project throughput count north-south traffic once, on qg- ports only', () => {
    for (const title of ['Throughput per project', 'Top routers by throughput']) {
      const [target] = targetsOf(allPanels(board).find((p) => p.title === title)!);
      expect(target!.expr, title).not.toContain(':rate5m');
      const traffic = metricSelectors(target!.expr).filter((s) => /^netns_network_(receive|transmit)_bytes_total$/.test(s.metric));
      expect(traffic.map((s) => s.metric).sort(), title).toEqual([
        'netns_network_receive_bytes_total',
        'netns_network_transmit_bytes_total',
      ]);
      for (const { matchers } of traffic) expect(matchers, title).toContain('device=~"qg-.*"');
    }
  });

  test('the heavy rows are collapsed and per-namespace rates come from the recording rules', () => {
    const rows = (board.panels ?? []).filter((p) => p.type === 'row') as dashboard.RowPanel[];
    expect(rows.filter((r) => r.collapsed).map((r) => r.title)).toEqual(['Errors and drops', 'Exporter process']);
    const throughput = allPanels(board).find((p) => p.title === 'Top namespaces by receive throughput')!;
    expect(targetsOf(throughput)[0]!.expr).toContain('netns:netns_network_receive_bytes:rate5m{');
  });
});

// Drill-down links (issue 14): Grafana leaves ${__field.labels.*} empty for table-format data, so
// tables must link through ${__data.fields.<column>}; and only router series and rows may link to
// the router dashboard.
describe('drill-down links', () => {
  const linksOf = (props: dashboard.DynamicConfigValue[] | undefined): { url: string }[] =>
    (props ?? []).filter((p) => p.id === 'links').flatMap((p) => p.value as { url: string }[]);

  for (const shipped of SHIPPED_DASHBOARDS) {
    const panels = allPanels(shipped.build());

    test(`${shipped.file}: no table links through __field.labels; table links read the row with __data.fields`, () => {
      for (const panel of panels.filter((p) => p.type === 'table')) {
        const links = [
          ...((panel.fieldConfig?.defaults.links ?? []) as { url: string }[]),
          ...(panel.fieldConfig?.overrides ?? []).flatMap((o) => linksOf(o.properties)),
        ];
        for (const link of links) {
          expect(link.url, panel.title).not.toContain('__field.labels');
          expect(link.url, panel.title).toContain('${__data.fields.router_id}');
        }
      }
    });

    test(`${shipped.file}: links to the router dashboard sit only on router series and router columns`, () => {
      for (const panel of panels) {
        expect(panel.fieldConfig?.defaults.links ?? [], `${panel.title}: a panel-wide link also covers qdhcp, fip and host series`).toEqual(
          [],
        );
        for (const override of panel.fieldConfig?.overrides ?? []) {
          if (linksOf(override.properties).length === 0) continue;
          if (panel.type === 'table') expect(override.matcher, panel.title).toEqual({ id: 'byName', options: 'router_id' });
          else expect(override.matcher, panel.title).toEqual({ id: 'byRegexp', options: '^(qrouter|snat)-.*' });
        }
      }
    });
  }

  test('the fleet tables that list namespaces link to their router', () => {
    const fleet = allPanels(SHIPPED_DASHBOARDS.find((d) => d.file === 'netns-fleet-overview.json')!.build());
    for (const title of [
      'Interfaces with errors or drops in the selected time range',
      'Conntrack use against limit, highest first',
      'Top routers by throughput',
    ]) {
      const panel = fleet.find((p) => p.title === title)!;
      const urls = (panel.fieldConfig?.overrides ?? []).flatMap((o) => linksOf(o.properties)).map((l) => l.url);
      expect(urls.length, title).toBe(1);
      expect(urls[0], title).toMatch(/^\/d\/netns-tenant-router\/.*var-router=\$\{__data\.fields\.router_id\}/);
    }
  });
});

// Thresholds are the alert configuration's (src/alerting/rules.ts), so a panel turns orange where the
// matching alert starts; built with other thresholds, the dashboards follow them.
describe('thresholds come from the alert configuration', () => {
  const stepsOf = (config: { steps?: { value: number | null }[] } | undefined): (number | null)[] =>
    (config?.steps ?? []).map((s) => s.value);
  const panel = (board: dashboard.Dashboard, title: string): dashboard.Panel => allPanels(board).find((p) => p.title === title)!;

  test("the shipped thresholds are alertConfig's", () => {
    expect(ALERT_THRESHOLDS).toEqual({
      conntrackWarningRatio: alertConfig.conntrack.warningRatio,
      conntrackCriticalRatio: alertConfig.conntrack.criticalRatio,
      slowScrapeRatioOfTimeout: alertConfig.slowScrape.ratioOfTimeout,
      haFlappingChanges: alertConfig.haFlapping.changes,
      haFlappingWindow: alertConfig.haFlapping.window,
    });
  });

  test('conntrack and slow-scrape panels colour by the thresholds given, in both dashboards', () => {
    const custom: PanelThresholds = {
      conntrackWarningRatio: 0.55,
      conntrackCriticalRatio: 0.65,
      slowScrapeRatioOfTimeout: 0.45,
      haFlappingChanges: 9,
      haFlappingWindow: '2h',
    };
    const fleet = buildFleetOverviewDashboard(custom);
    const router = buildTenantRouterDashboard(custom);
    for (const [board, title] of [
      [fleet, 'Highest conntrack use'],
      [fleet, 'Conntrack use, top namespaces'],
      [router, 'Conntrack use'],
      [router, 'Conntrack use per namespace'],
    ] as const) {
      const p = panel(board, title);
      expect(stepsOf(p.fieldConfig?.defaults.thresholds), title).toEqual([null, 0.55, 0.65]);
      expect(p.description, title).toContain('55 %');
    }
    const table = panel(fleet, 'Conntrack use against limit, highest first');
    const use = table.fieldConfig!.overrides.find((o) => o.matcher.options === 'use')!.properties.find((p) => p.id === 'thresholds')!;
    expect(stepsOf(use.value as { steps: { value: number | null }[] })).toEqual([null, 0.55, 0.65]);
    const flapping = panel(router, 'HA role changes in range');
    expect(stepsOf(flapping.fieldConfig?.defaults.thresholds)).toEqual([null, 1, 9]);
    expect(flapping.description).toContain('fires at 9 changes within 2h');
    const slowest = panel(fleet, 'Slowest scrape');
    expect(stepsOf(slowest.fieldConfig?.defaults.thresholds)).toEqual([null, 0.45, 1]);
    expect(targetsOf(panel(fleet, 'Scrape and collection duration')).find((t) => t.refId === 'D')!.expr).toMatch(/ \* 0\.45$/);
    // No dashboard text keeps the shipped percentages once other thresholds are given.
    for (const board of [fleet, router]) expect(renderDashboardJson(board)).not.toMatch(/\b(75|90|80) %/);
  });
});
