// Fleet overview: every exporter, every namespace; finds the namespaces worth opening in the
// tenant router dashboard.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardFrame, numberPanels, UID } from './dashboard-frame.js';
import {
  CONNTRACK_THRESHOLDS,
  drawBelowAxis,
  instantQuery,
  rangeQuery,
  sortByDesc,
  statPanel,
  tablePanel,
  tableQuery,
  thresholds,
  timeseriesPanel,
  transform,
} from './panels.js';
import {
  conntrackUse,
  countOrZero,
  increaseOverRange,
  rate,
  selector,
  top,
  withNamespaceNames,
} from './promql.js';
import { datasourceVariable, jobVariable, labelValuesVariable } from './variables.js';

/** Legend of a per-namespace series: the names from the labels file when present, then where it lives. */
const NAMESPACE_LEGEND = '{{netns}} {{router_name}} {{project}} ({{instance}})';

/** Opens the tenant router dashboard for the router a series belongs to. */
const openRouterLink = new dashboard.DashboardLinkBuilder('Open router ${__field.labels.id} in the tenant router dashboard')
  .url(
    `/d/${UID.tenantRouter}/network-namespaces-tenant-router?\${datasource:queryparam}&var-job=\${__field.labels.job}` +
      '&var-project=$__all&var-router=${__field.labels.id}&var-instance=${__field.labels.instance}&${__url_time_range}',
  )
  .targetBlank(false);

/** Per-namespace sum of one interface counter's rate, over all its devices. */
function namespaceRate(metric: string): string {
  return `sum by (job, instance, netns) (${rate(selector(metric))})`;
}

function headlineStats(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Fleet'))
    .withPanel(
      statPanel(
        {
          title: 'Exporters up',
          description: 'Exporter targets that Prometheus scraped successfully at the last scrape (`up == 1`).',
        },
        'short',
      )
        .thresholds(thresholds('green'))
        .withTarget(instantQuery('A', `sum(up{job=~"$job", instance=~"$instance"})`, 'up'))
        .height(4)
        .span(4),
    )
    .withPanel(
      statPanel(
        {
          title: 'Exporters down',
          description:
            'Exporter targets Prometheus failed to scrape at the last scrape (`up == 0`): no namespace metrics from those hosts.',
        },
        'short',
      )
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(instantQuery('A', countOrZero(`up{job=~"$job", instance=~"$instance"} == 0`), 'down'))
        .height(4)
        .span(4),
    )
    .withPanel(
      statPanel(
        {
          title: 'Namespaces',
          description: 'Network namespaces the exporters currently report, all kinds and hosts together.',
        },
        'short',
      )
        .thresholds(thresholds('blue'))
        .withTarget(instantQuery('A', `sum(${selector('netns_namespaces')})`, 'namespaces'))
        .height(4)
        .span(4),
    )
    .withPanel(
      statPanel(
        {
          title: 'Failing collections',
          description:
            '(namespace, collector) pairs whose last collection failed (`netns_collector_success == 0`). The table "Namespaces whose collection fails" below lists them.',
        },
        'short',
      )
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(instantQuery('A', countOrZero(`${selector('netns_collector_success')} == 0`), 'failing'))
        .height(4)
        .span(4),
    )
    .withPanel(
      statPanel(
        {
          title: 'Highest conntrack use',
          description:
            'Largest share of the conntrack table limit used by any one namespace. Orange from 75 %, red from 90 %: the alert thresholds. A full table drops new connections.',
        },
        'percentunit',
      )
        .thresholds(CONNTRACK_THRESHOLDS())
        .min(0)
        .max(1)
        .withTarget(instantQuery('A', `max(${conntrackUse()})`, 'highest use'))
        .height(4)
        .span(4),
    )
    .withPanel(
      statPanel(
        {
          title: 'Slowest collection',
          description:
            'Longest wall time any exporter needed for its last collection of all namespaces. Compare with the scrape timeout of the job.',
        },
        's',
      )
        .thresholds(thresholds('green', [5, 'orange'], [8, 'red']))
        .withTarget(instantQuery('A', `max(${selector('netns_scrape_collection_duration_seconds')})`, 'slowest'))
        .height(4)
        .span(4),
    );
}

function namespacesRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Namespaces'))
    .withPanel(
      timeseriesPanel(
        {
          title: 'Namespaces by kind',
          description:
            'Namespaces per Neutron kind (qrouter, snat, fip, qdhcp, ...), stacked over all selected hosts. A sudden drop means namespaces were deleted, or an exporter stopped reporting.',
        },
        'short',
      )
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .fillOpacity(40)
        .withTarget(rangeQuery('A', `sum by (kind) (${selector('netns_namespaces')})`, '{{kind}}'))
        .height(8)
        .span(12),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Namespaces by kind per host',
          description: 'Current number of namespaces of each kind on each host (one row per exporter instance).',
        },
        'short',
      )
        .withTarget(tableQuery('A', `sum by (instance, kind) (${selector('netns_namespaces')})`))
        .withTransformation(transform.matrix('instance', 'kind'))
        .height(8)
        .span(12),
    );
}

function throughputRow(board: dashboard.DashboardBuilder): void {
  const topThroughput = (metric: string): string =>
    top(withNamespaceNames(`${namespaceRate(metric)} * 8`));
  board
    .withRow(new dashboard.RowBuilder('Throughput'))
    .withPanel(
      timeseriesPanel(
        {
          title: 'Top namespaces by receive throughput',
          description:
            'The 10 namespaces receiving the most, in bits per second summed over their interfaces. Click a series for its tenant router dashboard.',
        },
        'bps',
      )
        .min(0)
        .dataLinks([openRouterLink])
        .withTarget(rangeQuery('A', topThroughput('netns_network_receive_bytes_total'), NAMESPACE_LEGEND))
        .height(9)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Top namespaces by transmit throughput',
          description:
            'The 10 namespaces transmitting the most, in bits per second summed over their interfaces. Click a series for its tenant router dashboard.',
        },
        'bps',
      )
        .min(0)
        .dataLinks([openRouterLink])
        .withTarget(rangeQuery('A', topThroughput('netns_network_transmit_bytes_total'), NAMESPACE_LEGEND))
        .height(9)
        .span(12),
    );
}

function errorsRow(board: dashboard.DashboardBuilder): void {
  const topRate = (metric: string): string => top(withNamespaceNames(namespaceRate(metric)));
  const rangeIncrease = (metric: string): string =>
    top(
      withNamespaceNames(`sum by (job, instance, netns, device) (${increaseOverRange(selector(metric))})`),
      50,
    );
  board
    .withRow(new dashboard.RowBuilder('Errors and drops'))
    .withPanel(
      drawBelowAxis(
        timeseriesPanel(
          {
            title: 'Interface errors, top namespaces',
            description:
              'Packets per second with errors (bad CRC, frame, FIFO, carrier, ...), summed over the interfaces of a namespace; the 10 worst for each direction. Receive above the axis, transmit below.',
          },
          'pps',
        ),
        'B',
      )
        .dataLinks([openRouterLink])
        .withTarget(rangeQuery('A', topRate('netns_network_receive_errs_total'), `${NAMESPACE_LEGEND} rx`))
        .withTarget(rangeQuery('B', topRate('netns_network_transmit_errs_total'), `${NAMESPACE_LEGEND} tx`))
        .height(9)
        .span(12),
    )
    .withPanel(
      drawBelowAxis(
        timeseriesPanel(
          {
            title: 'Interface drops, top namespaces',
            description:
              'Packets per second the kernel dropped on the interfaces of a namespace (full queues, no buffer, unknown protocol); the 10 worst for each direction. Receive above the axis, transmit below.',
          },
          'pps',
        ),
        'B',
      )
        .dataLinks([openRouterLink])
        .withTarget(rangeQuery('A', topRate('netns_network_receive_drop_total'), `${NAMESPACE_LEGEND} rx`))
        .withTarget(rangeQuery('B', topRate('netns_network_transmit_drop_total'), `${NAMESPACE_LEGEND} tx`))
        .height(9)
        .span(12),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Interfaces with errors or drops in the selected time range',
          description:
            'Every interface that counted receive or transmit errors or drops during the dashboard time range, with the number of packets. Interfaces without any are left out.',
        },
        'short',
      )
        .withTarget(tableQuery('A', rangeIncrease('netns_network_receive_errs_total')))
        .withTarget(tableQuery('B', rangeIncrease('netns_network_transmit_errs_total')))
        .withTarget(tableQuery('C', rangeIncrease('netns_network_receive_drop_total')))
        .withTarget(tableQuery('D', rangeIncrease('netns_network_transmit_drop_total')))
        .withTransformation(transform.merge())
        .withTransformation(transform.anyAboveZero(['Value #A', 'Value #B', 'Value #C', 'Value #D']))
        .withTransformation(
          transform.columns({
            'Value #A': 'rx errors',
            'Value #B': 'tx errors',
            'Value #C': 'rx drops',
            'Value #D': 'tx drops',
          }),
        )
        .sortBy(sortByDesc('rx errors'))
        .dataLinks([openRouterLink])
        .height(8)
        .span(24),
    );
}

function conntrackRow(board: dashboard.DashboardBuilder): void {
  // One ranking drives all three columns so that they describe the same namespaces.
  const ranking = top(conntrackUse(), 20);
  const ranked = (expr: string): string => withNamespaceNames(`${expr} and on(job, instance, netns) ${ranking}`);
  board
    .withRow(new dashboard.RowBuilder('Conntrack'))
    .withPanel(
      tablePanel(
        {
          title: 'Conntrack use against limit, highest first',
          description:
            'The 20 namespaces using the largest share of their conntrack limit (`nf_conntrack_max`): entries, limit and use. When a table is full the kernel drops new connections ("nf_conntrack: table full").',
        },
        'short',
      )
        .withTarget(tableQuery('A', withNamespaceNames(ranking)))
        .withTarget(tableQuery('B', ranked(selector('netns_nf_conntrack_entries'))))
        .withTarget(tableQuery('C', ranked(selector('netns_nf_conntrack_entries_limit'))))
        .withTransformation(transform.merge())
        .withTransformation(transform.columns({ 'Value #A': 'use', 'Value #B': 'entries', 'Value #C': 'limit' }))
        .overrideByName('use', [
          { id: 'unit', value: 'percentunit' },
          { id: 'min', value: 0 },
          { id: 'max', value: 1 },
          { id: 'thresholds', value: CONNTRACK_THRESHOLDS().build() },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.Gauge, mode: common.BarGaugeDisplayMode.Gradient } },
        ])
        .sortBy(sortByDesc('use'))
        .dataLinks([openRouterLink])
        .height(9)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Conntrack use, top namespaces',
          description:
            'Share of the conntrack limit in use over time for the 10 fullest namespaces. Dashed lines: the 75 % warning and 90 % critical alert thresholds.',
        },
        'percentunit',
      )
        .min(0)
        .max(1)
        .thresholds(CONNTRACK_THRESHOLDS())
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .dataLinks([openRouterLink])
        .withTarget(rangeQuery('A', top(withNamespaceNames(conntrackUse())), NAMESPACE_LEGEND))
        .height(9)
        .span(12),
    );
}

/** Shows a `netns_collector_success` value as a coloured "ok" or "failed". */
const SUCCESS_CELL: dashboard.DynamicConfigValue[] = [
  {
    id: 'mappings',
    value: [
      {
        type: dashboard.MappingType.ValueToText,
        options: { '0': { text: 'failed', color: 'red', index: 0 }, '1': { text: 'ok', color: 'green', index: 1 } },
      },
    ],
  },
  { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
];

function exporterHealthRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Exporter health'))
    .withPanel(
      tablePanel(
        {
          title: 'Namespaces whose collection fails',
          description:
            'Namespace and collector pairs whose collection failed at least once in the selected time range (worst = 0), with their state at the last scrape (1 ok, 0 failed). The exporter log has one line per failure with the reason.',
        },
        'short',
      )
        .withTarget(tableQuery('A', withNamespaceNames(`min_over_time(${selector('netns_collector_success')}[$__range])`)))
        .withTarget(tableQuery('B', withNamespaceNames(selector('netns_collector_success'))))
        .withTransformation(transform.merge())
        .withTransformation(transform.equals('Value #A', 0))
        .withTransformation(transform.columns({ 'Value #A': 'worst in range', 'Value #B': 'now' }))
        .overrideByName('worst in range', SUCCESS_CELL)
        .overrideByName('now', SUCCESS_CELL)
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Failing collections by collector',
          description:
            'Number of namespaces whose collection failed, per collector (interfaces, iptables, conntrack) and host. Zero when healthy.',
        },
        'short',
      )
        .min(0)
        .withTarget(
          rangeQuery('A', `sum by (instance, collector) (1 - ${selector('netns_collector_success')})`, '{{collector}} on {{instance}}'),
        )
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Scrape and collection duration',
          description:
            "How long Prometheus' scrape of each exporter took (`scrape_duration_seconds`) and the wall time of the exporter's own collection. A scrape slower than the job's scrape timeout fails and loses every metric of that host.",
        },
        's',
      )
        .min(0)
        .withTarget(rangeQuery('A', `scrape_duration_seconds{job=~"$job", instance=~"$instance"}`, '{{instance}} scrape'))
        .withTarget(rangeQuery('B', selector('netns_scrape_collection_duration_seconds'), '{{instance}} collection'))
        .height(8)
        .span(10),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Time per collector',
          description:
            'Time each collector spent in the last collection, summed over all namespaces (collectors run in parallel, so the sum can exceed the wall time).',
        },
        's',
      )
        .min(0)
        .withTarget(rangeQuery('A', selector('netns_scrape_duration_seconds'), '{{collector}} on {{instance}}'))
        .height(8)
        .span(8),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Exporter versions',
          description: 'Number of exporters running each version, to follow a rollout.',
        },
        'short',
      )
        .withTarget(tableQuery('A', `count by (version, revision, nodejs_version) (${selector('netns_exporter_build_info')})`))
        .withTransformation(transform.columns({ Value: 'exporters' }))
        .height(8)
        .span(6),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Series per exporter',
          description:
            'Namespace series each exporter served in its last scrape, and series it left out because the scrape reached --collector.max-series (then whole namespaces are missing; raise the limit or filter namespaces).',
        },
        'short',
      )
        .min(0)
        .withTarget(rangeQuery('A', selector('netns_scrape_series'), '{{instance}} served'))
        .withTarget(rangeQuery('B', selector('netns_scrape_series_dropped'), '{{instance}} dropped'))
        .overrideByQuery('B', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }])
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Discovery problems and vanished namespaces',
          description:
            'Per scrape: problems met while discovering namespaces (an unreadable directory, a duplicate name), and namespaces deleted between discovery and reading (normal while Neutron removes routers; not an error).',
        },
        'short',
      )
        .min(0)
        .withTarget(rangeQuery('A', selector('netns_scrape_discovery_errors'), '{{instance}} discovery problems'))
        .withTarget(rangeQuery('B', selector('netns_scrape_vanished_namespaces'), '{{instance}} vanished'))
        .height(8)
        .span(12),
    );
}

/** Builds the fleet overview dashboard. */
export function buildFleetOverviewDashboard(): dashboard.Dashboard {
  const board = dashboardFrame(
    UID.fleetOverview,
    'Network namespaces / Fleet overview',
    'Every network namespace on every host running netns-exporter: counts by kind, the busiest and most troubled namespaces, conntrack pressure and the health of the exporters themselves.',
  )
    .withVariable(datasourceVariable())
    .withVariable(jobVariable())
    .withVariable(
      labelValuesVariable(
        'instance',
        'Host',
        'Exporter instances (hosts) to include.',
        'label_values(netns_exporter_build_info{job=~"$job"}, instance)',
        { multi: true, includeAll: true },
      ),
    );
  headlineStats(board);
  namespacesRow(board);
  throughputRow(board);
  errorsRow(board);
  conntrackRow(board);
  exporterHealthRow(board);
  return numberPanels(board.build());
}
