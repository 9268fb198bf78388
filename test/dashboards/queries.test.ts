// listDashboardQueries: every PromQL expression of a dashboard, variables filled in.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { describe, expect, test } from 'vitest';
import { SHIPPED_DASHBOARDS } from '../../dashboards/src/index.js';
import { rangeQuery } from '../../dashboards/src/panels.js';
import { allPanels, listDashboardQueries } from '../../dashboards/src/queries.js';
import { labelValuesVariable } from '../../dashboards/src/variables.js';

const ROUTER = '0d7e5e4c-2b5a-4f0e-9d55-6f0c1c0ffee1';
const VARS = { job: 'netns-exporter', instance: '127.0.0.1:9445', router: ROUTER, router_prefix: ROUTER.slice(0, 11) };

const shipped = (file: string): dashboard.Dashboard => SHIPPED_DASHBOARDS.find((d) => d.file === file)!.build();

describe('listDashboardQueries on the shipped dashboards', () => {
  for (const { file, build } of SHIPPED_DASHBOARDS) {
    test(`${file}: one entry per panel target and per query variable, no variable left`, () => {
      const board = build();
      const queries = listDashboardQueries(board, VARS);
      const targetCount = allPanels(board).reduce((n, p) => n + (p.targets?.length ?? 0), 0);
      const variableCount = (board.templating.list ?? []).filter((v) => v.type === 'query').length;
      expect(queries).toHaveLength(targetCount + variableCount);
      for (const { panel, expr } of queries) {
        // `$1` is a label_replace group, which Grafana leaves alone too.
        expect(expr, panel).not.toMatch(/\$(?!\d)/);
        expect(expr.trim(), panel).not.toBe('');
      }
      expect(new Set(queries.map((q) => q.panel)).size, 'entries are told apart by panel').toBe(queries.length);
    });
  }

  test("fills in the router, instance and job, and Grafana's interval variables", () => {
    const queries = listDashboardQueries(shipped('netns-tenant-router.json'), VARS);
    const throughput = queries.find((q) => q.panel === 'Throughput on $gateway_host [A]')!;
    const where = 'cluster=~".*", job=~"netns-exporter", instance=~"127.0.0.1:9445"';
    // The repeated panel narrows to one gateway host; without a value the variable takes its all-value.
    expect(throughput.expr).toBe(
      `(rate(netns_network_receive_bytes_total{${where}, netns=~"qrouter-${ROUTER}|snat-${ROUTER}", instance=~".*"}[1m]) or ` +
        `rate(netns_network_receive_bytes_total{${where}, netns=~"fip-.*", device=~"fpr-${ROUTER.slice(0, 11)}.*|fg-.*", instance=~".*"}[1m])) * 8`,
    );
    const oneHost = listDashboardQueries(shipped('netns-tenant-router.json'), {
      ...VARS,
      gateway_host: 'net1:9445',
      __rate_interval: '4s',
    });
    const repeated = oneHost.find((q) => q.panel === 'Throughput on $gateway_host [A]')!.expr;
    expect(repeated).toContain('[4s]');
    expect(repeated).toContain('instance=~"net1:9445"');
  });

  test('turns label_values() variable queries into PromQL returning one series per value', () => {
    const queries = listDashboardQueries(shipped('netns-tenant-router.json'), VARS);
    expect(queries.find((q) => q.panel === 'variable $project')!.expr).toBe(
      'group by (project) (netns:netns_info:names{cluster=~".*", job=~"netns-exporter", kind=~"qrouter|snat"})',
    );
    expect(queries.find((q) => q.panel === 'variable $job')!.expr).toBe('group by (job) (netns_exporter_build_info{cluster=~".*"})');
    // query_result() variables run as their inner expression.
    expect(queries.find((q) => q.panel === 'variable $router')!.expr).toMatch(/^max by \(id, router_label\) \(label_join\(/);
  });

  test('a variable with an "All" option that is not given takes its all-value; a given one wins', () => {
    const board = shipped('netns-tenant-router.json');
    expect(listDashboardQueries(board, VARS).find((q) => q.panel === 'variable $router')!.expr).toContain('project=~".*"');
    expect(listDashboardQueries(board, { ...VARS, project: 'demo' }).find((q) => q.panel === 'variable $router')!.expr).toContain(
      'project=~"demo"',
    );
  });

  test('throws, naming the variable, when one has no value', () => {
    const { router: _omitted, ...withoutRouter } = VARS;
    expect(() => listDashboardQueries(shipped('netns-tenant-router.json'), withoutRouter)).toThrow(/\$router/);
    const { job: _job, ...withoutJob } = VARS;
    expect(() => listDashboardQueries(shipped('netns-fleet-overview.json'), withoutJob)).toThrow(/\$job/);
  });
});

describe('listDashboardQueries on a hand-built dashboard', () => {
  const panel = (title: string, expr: string): timeseries.PanelBuilder =>
    new timeseries.PanelBuilder().title(title).withTarget(rangeQuery('A', expr, ''));

  test('reads panels inside collapsed rows, braced and formatted references, and skips hidden targets', () => {
    const board = new dashboard.DashboardBuilder('test')
      .withVariable(labelValuesVariable('ns', 'ns', 'd', 'query_result(max by (netns) (netns_info{job="$job"}))'))
      .withPanel(panel('top level', 'sum(rate(a{job="${job}"}[$__rate_interval]))'))
      .withRow(
        new dashboard.RowBuilder('folded')
          .collapsed(true)
          .withPanel(panel('inside the row', 'increase(b{netns=~"${ns:regex}"}[$__range]) / $__interval')),
      )
      .build();
    const hidden = new timeseries.PanelBuilder()
      .title('hidden')
      .withTarget(rangeQuery('A', 'c{x="$nowhere"}', '').hide(true))
      .build();
    board.panels!.push(hidden);

    expect(listDashboardQueries(board, { job: 'j', ns: 'qrouter-1', __range: '2h', __interval: '30s' })).toEqual([
      { panel: 'variable $ns', expr: 'max by (netns) (netns_info{job="j"})' },
      { panel: 'top level [A]', expr: 'sum(rate(a{job="j"}[1m]))' },
      { panel: 'inside the row [A]', expr: 'increase(b{netns=~"qrouter-1"}[2h]) / 30s' },
    ]);
  });

  test('rejects variable queries that have no PromQL form', () => {
    const board = new dashboard.DashboardBuilder('test').withVariable(labelValuesVariable('x', 'x', 'd', 'label_values(instance)')).build();
    expect(() => listDashboardQueries(board, {})).toThrow(/no PromQL equivalent/);
  });
});
