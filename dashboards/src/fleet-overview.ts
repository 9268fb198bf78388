// Fleet overview: every exporter, every namespace; finds the namespaces worth opening in the
// tenant router dashboard.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardFrame, numberPanels, UID } from './dashboard-frame.js';
import { ALERT_THRESHOLDS, percent, type PanelThresholds } from './alert-thresholds.js';
import {
  conntrackThresholds,
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
  gatewayBits,
  increaseOverRange,
  NAMES_RECORD,
  NAMESPACE_KEY,
  nonZero,
  rate,
  selector,
  top,
  withNamespaceNames,
} from './promql.js';
import { clusterVariable, datasourceVariable, jobVariable, labelValuesVariable } from './variables.js';
import { ROUTER_COLUMN, ROUTER_SERIES_REGEX, routerSeriesLinks, routerTableLinks } from './links.js';

/** Legend of a per-namespace series: the names from the labels file when present, then where it lives. */
const NAMESPACE_LEGEND = '{{netns}} {{router_name}} {{project}} ({{instance}})';

/** The kind and project filters of the dashboard, applied through the names record. */
const FILTERS = ['kind=~"$kind"', 'project=~"$project"'];

/** A per-namespace rate from the recording rules (`netns:<metric>:rate5m`), filtered and named. */
function recorded(counter: string): string {
  return selector(`netns:netns_network_${counter}:rate5m`);
}

/** Labels that identify one exporter target: Prometheus' own series (`up`, `scrape_*`) join on them. */
const TARGET_KEY = 'cluster, job, instance';

/** The scrape timeout per target: as the exporter read it from Prometheus, else Prometheus' own series. */
const SCRAPE_TIMEOUT = `(${selector('netns_scrape_timeout_seconds')} or on(${TARGET_KEY}) ${selector('scrape_timeout_seconds')})`;

function headlineStats(board: dashboard.DashboardBuilder, t: PanelThresholds): void {
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
        .withTarget(instantQuery('A', `sum(${selector('up')})`, 'up'))
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
        .withTarget(instantQuery('A', countOrZero(`${selector('up')} == 0`), 'down'))
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
          description: `Largest share of the conntrack table limit used by any one namespace. Orange from ${percent(t.conntrackWarningRatio)}, red from ${percent(t.conntrackCriticalRatio)}: the alert thresholds. A full table drops new connections.`,
        },
        'percentunit',
      )
        .thresholds(conntrackThresholds(t))
        .min(0)
        .max(1)
        .withTarget(instantQuery('A', `max(${conntrackUse()})`, 'highest use'))
        .height(4)
        .span(4),
    )
    .withPanel(
      statPanel(
        {
          title: 'Slowest scrape',
          description: `Longest scrape of any exporter as a share of its scrape timeout (scrape_duration_seconds against the timeout the exporter read from Prometheus). Orange from ${percent(t.slowScrapeRatioOfTimeout)}, where NetnsExporterScrapeSlow counts a scrape as slow; red at 100 %, where the scrape fails and loses every metric of that host.`,
        },
        'percentunit',
      )
        .thresholds(thresholds('green', [t.slowScrapeRatioOfTimeout, 'orange'], [1, 'red']))
        .min(0)
        .withTarget(instantQuery('A', `max(${selector('scrape_duration_seconds')} / on(${TARGET_KEY}) ${SCRAPE_TIMEOUT})`, 'slowest'))
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

/** A row whose panels are added by `fill`; a collapsed row holds its panels (Grafana runs their queries only when opened). */
function row(board: dashboard.DashboardBuilder, title: string, panels: { build(): dashboard.Panel }[], collapsed = false): void {
  if (!collapsed) {
    board.withRow(new dashboard.RowBuilder(title));
    for (const panel of panels) board.withPanel(panel);
    return;
  }
  const r = new dashboard.RowBuilder(title).collapsed(true);
  for (const panel of panels) r.withPanel(panel);
  board.withRow(r);
}

function throughputRow(board: dashboard.DashboardBuilder): void {
  const topThroughput = (counter: string): string => top(withNamespaceNames(`${recorded(counter)} * 8`, ...FILTERS));
  row(board, 'Throughput', [
    timeseriesPanel(
      {
        title: 'Top namespaces by receive throughput',
        description:
          'The 10 namespaces receiving the most, in bits per second summed over their interfaces (recording rule netns:netns_network_receive_bytes:rate5m). Click a router series for its tenant router dashboard.',
      },
      'bps',
    )
      .min(0)
      .overrideByRegexp(ROUTER_SERIES_REGEX, routerSeriesLinks())
      .withTarget(rangeQuery('A', topThroughput('receive_bytes'), NAMESPACE_LEGEND))
      .height(9)
      .span(12),
    timeseriesPanel(
      {
        title: 'Top namespaces by transmit throughput',
        description:
          'The 10 namespaces transmitting the most, in bits per second summed over their interfaces (recording rule netns:netns_network_transmit_bytes:rate5m). Click a router series for its tenant router dashboard.',
      },
      'bps',
    )
      .min(0)
      .overrideByRegexp(ROUTER_SERIES_REGEX, routerSeriesLinks())
      .withTarget(rangeQuery('A', topThroughput('transmit_bytes'), NAMESPACE_LEGEND))
      .height(9)
      .span(12),
    timeseriesPanel(
      {
        title: 'Throughput per project',
        description:
          "North-south traffic of each project's routers (the 10 busiest): receive plus transmit on their qg- gateway ports, in bits per second. Only qg- counts: a routed packet crosses two router ports (qr- and qg-), so a sum over every port would count it twice. DVR floating-IP traffic leaves through the hosts' fip- namespaces and is not counted here. Projects come from openstack-exporter or the labels file; routers without one are summed under an empty project.",
      },
      'bps',
    )
      .min(0)
      .withTarget(rangeQuery('A', top(`sum by (project) (${withNamespaceNames(gatewayBits(), ...FILTERS)})`), '{{project}}'))
      .height(9)
      .span(12),
    tablePanel(
      {
        title: 'Top routers by throughput',
        description:
          'The 20 routers with the most north-south traffic: receive plus transmit on their qg- gateway ports (qrouter- or, for DVR, snat- namespaces) on every host, each packet counted once. Click a router id to open it.',
      },
      'bps',
    )
      .withTarget(
        tableQuery(
          'A',
          top(`sum by (cluster, router_id, router_name, project) (${withNamespaceNames(gatewayBits(), ...FILTERS, 'router_id!=""')})`, 20),
        ),
      )
      .withTransformation(transform.columns({ Value: 'bits/s' }, ['cluster']))
      .overrideByName(ROUTER_COLUMN, routerTableLinks(false))
      .sortBy(sortByDesc('bits/s'))
      .height(9)
      .span(12),
  ]);
}

function errorsRow(board: dashboard.DashboardBuilder): void {
  // Only non-zero series: a healthy fleet shows an empty panel, not ten flat lines at zero.
  const topRate = (counter: string): string => top(nonZero(withNamespaceNames(recorded(counter), ...FILTERS)));
  const rangeIncrease = (metric: string): string =>
    top(nonZero(withNamespaceNames(`sum by (${NAMESPACE_KEY}, device) (${increaseOverRange(selector(metric))})`, ...FILTERS)), 50);
  // Collapsed: the table's increase over the whole range is the heaviest query of the dashboard.
  row(
    board,
    'Errors and drops',
    [
      drawBelowAxis(
        timeseriesPanel(
          {
            title: 'Interface errors, top namespaces',
            description:
              'Packets per second with errors (bad CRC, frame, FIFO, carrier, ...), summed over the interfaces of a namespace; the 10 worst for each direction, only namespaces with errors (empty when there are none). Receive above the axis, transmit below.',
          },
          'pps',
        ),
        'B',
      )
        .overrideByRegexp(ROUTER_SERIES_REGEX, routerSeriesLinks())
        .withTarget(rangeQuery('A', topRate('receive_errs'), `${NAMESPACE_LEGEND} rx`))
        .withTarget(rangeQuery('B', topRate('transmit_errs'), `${NAMESPACE_LEGEND} tx`))
        .height(9)
        .span(12),
      drawBelowAxis(
        timeseriesPanel(
          {
            title: 'Interface drops, top namespaces',
            description:
              'Packets per second the kernel dropped on the interfaces of a namespace (full queues, no buffer, unknown protocol); the 10 worst for each direction, only namespaces with drops (empty when there are none). Receive above the axis, transmit below.',
          },
          'pps',
        ),
        'B',
      )
        .overrideByRegexp(ROUTER_SERIES_REGEX, routerSeriesLinks())
        .withTarget(rangeQuery('A', topRate('receive_drop'), `${NAMESPACE_LEGEND} rx`))
        .withTarget(rangeQuery('B', topRate('transmit_drop'), `${NAMESPACE_LEGEND} tx`))
        .height(9)
        .span(12),
      tablePanel(
        {
          title: 'Interfaces with errors or drops in the selected time range',
          description:
            'Every interface that counted receive or transmit errors or drops during the dashboard time range, with the number of packets. Interfaces without any are left out. Click a router id to open the router on that host.',
        },
        'short',
      )
        .withTarget(tableQuery('A', rangeIncrease('netns_network_receive_errs_total')))
        .withTarget(tableQuery('B', rangeIncrease('netns_network_transmit_errs_total')))
        .withTarget(tableQuery('C', rangeIncrease('netns_network_receive_drop_total')))
        .withTarget(tableQuery('D', rangeIncrease('netns_network_transmit_drop_total')))
        .withTransformation(transform.merge())
        .withTransformation(
          transform.columns({
            'Value #A': 'rx errors',
            'Value #B': 'tx errors',
            'Value #C': 'rx drops',
            'Value #D': 'tx drops',
          }),
        )
        .overrideByName(ROUTER_COLUMN, routerTableLinks(true))
        .sortBy(sortByDesc('rx errors'))
        .height(8)
        .span(24),
    ],
    true,
  );
}

function conntrackRow(board: dashboard.DashboardBuilder, t: PanelThresholds): void {
  // One ranking drives all three columns so that they describe the same namespaces.
  const ranking = top(withNamespaceNames(conntrackUse(), ...FILTERS), 20);
  const ranked = (expr: string): string => withNamespaceNames(`${expr} and on(${NAMESPACE_KEY}) ${ranking}`);
  row(board, 'Conntrack', [
    tablePanel(
      {
        title: 'Conntrack use against limit, highest first',
        description:
          'The 20 namespaces using the largest share of their conntrack limit (`nf_conntrack_max`): entries, limit and use. When a table is full the kernel drops new connections ("nf_conntrack: table full"). Click a router id to open the router on that host.',
      },
      'short',
    )
      .withTarget(tableQuery('A', ranking))
      .withTarget(tableQuery('B', ranked(selector('netns_nf_conntrack_entries'))))
      .withTarget(tableQuery('C', ranked(selector('netns_nf_conntrack_entries_limit'))))
      .withTransformation(transform.merge())
      .withTransformation(transform.columns({ 'Value #A': 'use', 'Value #B': 'entries', 'Value #C': 'limit' }))
      .overrideByName('use', [
        { id: 'unit', value: 'percentunit' },
        { id: 'min', value: 0 },
        { id: 'max', value: 1 },
        { id: 'thresholds', value: conntrackThresholds(t).build() },
        { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.Gauge, mode: common.BarGaugeDisplayMode.Gradient } },
      ])
      .overrideByName(ROUTER_COLUMN, routerTableLinks(true))
      .sortBy(sortByDesc('use'))
      .height(9)
      .span(12),
    timeseriesPanel(
      {
        title: 'Conntrack use, top namespaces',
        description: `Share of the conntrack limit in use over time for the 10 fullest namespaces. Dashed lines: the ${percent(t.conntrackWarningRatio)} warning and ${percent(t.conntrackCriticalRatio)} critical alert thresholds.`,
      },
      'percentunit',
    )
      .min(0)
      .max(1)
      .thresholds(conntrackThresholds(t))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .overrideByRegexp(ROUTER_SERIES_REGEX, routerSeriesLinks())
      .withTarget(rangeQuery('A', top(withNamespaceNames(conntrackUse(), ...FILTERS)), NAMESPACE_LEGEND))
      .height(9)
      .span(12),
  ]);
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

function exporterHealthRow(board: dashboard.DashboardBuilder, t: PanelThresholds): void {
  // The pairs that failed at least once in the range, selected in Prometheus: a fleet has
  // namespaces x collectors pairs, far too many to fetch and filter in the browser.
  const failedInRange = `(min_over_time(${selector('netns_collector_success')}[$__range]) == 0)`;
  board
    .withRow(new dashboard.RowBuilder('Exporter health'))
    .withPanel(
      tablePanel(
        {
          title: 'Namespaces whose collection fails',
          description:
            'Namespace and collector pairs whose collection failed at least once in the selected time range (worst = 0), with their state at the last scrape (1 ok, 0 failed); empty when every collection succeeded. The exporter log has one line per failure with the reason.',
        },
        'short',
      )
        .withTarget(tableQuery('A', withNamespaceNames(failedInRange, ...FILTERS)))
        .withTarget(
          tableQuery(
            'B',
            withNamespaceNames(`${selector('netns_collector_success')} and on(${NAMESPACE_KEY}, collector) ${failedInRange}`, ...FILTERS),
          ),
        )
        .withTransformation(transform.merge())
        .withTransformation(transform.columns({ 'Value #A': 'worst in range', 'Value #B': 'now' }))
        .overrideByName(ROUTER_COLUMN, routerTableLinks(true))
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
          description: `How long Prometheus' scrape of each exporter took (\`scrape_duration_seconds\`), the wall time of the exporter's own collection, the scrape timeout the exporter read from Prometheus (dashed red) and ${percent(t.slowScrapeRatioOfTimeout)} of it, where NetnsExporterScrapeSlow counts a scrape as slow (dashed orange). A scrape slower than the timeout fails and loses every metric of that host.`,
        },
        's',
      )
        .min(0)
        .withTarget(rangeQuery('A', selector('scrape_duration_seconds'), '{{instance}} scrape'))
        .withTarget(rangeQuery('B', selector('netns_scrape_collection_duration_seconds'), '{{instance}} collection'))
        .withTarget(rangeQuery('C', selector('netns_scrape_timeout_seconds'), '{{instance}} scrape timeout'))
        .withTarget(rangeQuery('D', `${SCRAPE_TIMEOUT} * ${t.slowScrapeRatioOfTimeout}`, '{{instance}} slow-scrape alert threshold'))
        .overrideByQuery('C', [
          { id: 'custom.lineStyle', value: new common.LineStyleBuilder().fill('dash').dash([10, 10]).build() },
          { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
        ])
        .overrideByQuery('D', [
          { id: 'custom.lineStyle', value: new common.LineStyleBuilder().fill('dash').dash([10, 10]).build() },
          { id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } },
        ])
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

function exporterProcessRow(board: dashboard.DashboardBuilder): void {
  row(
    board,
    'Exporter process',
    [
      timeseriesPanel(
        {
          title: 'Exporter CPU',
          description: 'CPU the exporter process uses, in cores (1 = one core busy all the time), per host.',
        },
        'percentunit',
      )
        .min(0)
        .withTarget(rangeQuery('A', rate(selector('process_cpu_seconds_total')), '{{instance}}'))
        .height(8)
        .span(6),
      timeseriesPanel(
        {
          title: 'Exporter memory',
          description: 'Resident memory of the exporter process and the part of it that is JavaScript heap in use, per host.',
        },
        'bytes',
      )
        .min(0)
        .withTarget(rangeQuery('A', selector('process_resident_memory_bytes'), '{{instance}} resident'))
        .withTarget(rangeQuery('B', selector('nodejs_heap_size_used_bytes'), '{{instance}} heap used'))
        .height(8)
        .span(6),
      timeseriesPanel(
        {
          title: 'Event-loop lag',
          description:
            "99th percentile of the exporter's Node.js event-loop delay. Above a few hundred milliseconds, /healthz and scrapes wait for the main thread.",
        },
        's',
      )
        .min(0)
        .withTarget(rangeQuery('A', selector('nodejs_eventloop_lag_p99_seconds'), '{{instance}} p99'))
        .height(8)
        .span(6),
      tablePanel(
        {
          title: 'Labels file',
          description:
            'State of --netns.labels-file per host: ok, failing (the last version did not parse; the previous mapping is kept) or not configured, and the age of the last good reload.',
        },
        'short',
      )
        .withTarget(
          tableQuery(
            'A',
            `max by (cluster, instance) (${selector('netns_labels_file_reload_success')})` +
              ` or on(cluster, instance) max by (cluster, instance) (${selector('netns_exporter_build_info')}) * -1`,
          ),
        )
        .withTarget(
          tableQuery('B', `max by (cluster, instance) (time() - ${selector('netns_labels_file_last_reload_success_timestamp_seconds')})`),
        )
        .withTransformation(transform.merge())
        .withTransformation(transform.columns({ 'Value #A': 'state', 'Value #B': 'last good reload' }, ['cluster']))
        .overrideByName('state', [
          {
            id: 'mappings',
            value: [
              {
                type: dashboard.MappingType.ValueToText,
                options: {
                  '-1': { text: 'not configured', color: 'blue', index: 0 },
                  '0': { text: 'failing', color: 'red', index: 1 },
                  '1': { text: 'ok', color: 'green', index: 2 },
                },
              },
            ],
          },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .overrideByName('last good reload', [{ id: 'unit', value: 's' }])
        .height(8)
        .span(6),
    ],
    true,
  );
}

/** Builds the fleet overview dashboard; `t` are the alert thresholds its panels colour by. */
export function buildFleetOverviewDashboard(t: PanelThresholds = ALERT_THRESHOLDS): dashboard.Dashboard {
  const board = dashboardFrame(
    UID.fleetOverview,
    'Network namespaces / Fleet overview',
    'Every network namespace on every host running netns-exporter: counts by kind, the busiest and most troubled namespaces, conntrack pressure and the health of the exporters themselves.',
  )
    .withVariable(datasourceVariable())
    .withVariable(clusterVariable())
    .withVariable(jobVariable())
    .withVariable(
      labelValuesVariable(
        'instance',
        'Host',
        'Exporter instances (hosts) to include.',
        'label_values(netns_exporter_build_info{cluster=~"$cluster", job=~"$job"}, instance)',
        { multi: true, includeAll: true },
      ),
    )
    .withVariable(
      labelValuesVariable(
        'kind',
        'Kind',
        'Namespace kinds to include (qrouter, snat, fip, qdhcp, ...).',
        `label_values(${selector(NAMES_RECORD)}, kind)`,
        { multi: true, includeAll: true },
      ),
    )
    .withVariable(
      labelValuesVariable(
        'project',
        'Project',
        'Project to include: from openstack-exporter (project_id) or the labels file; "All" also keeps namespaces without one.',
        `label_values(${selector(NAMES_RECORD, 'kind=~"$kind"')}, project)`,
        { includeAll: true },
      ),
    );
  headlineStats(board, t);
  namespacesRow(board);
  throughputRow(board);
  errorsRow(board);
  conntrackRow(board, t);
  exporterHealthRow(board, t);
  exporterProcessRow(board);
  return numberPanels(board.build());
}
