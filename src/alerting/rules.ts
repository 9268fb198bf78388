// Alert and recording rules for netns-exporter. Every threshold, `for` duration and selector lives in
// `alertConfig`; `netns-exporter.rules.yml` is generated from it (UPDATE_RULES=1 npx vitest run test/alerts).
import { stringify } from 'yaml';

export type Severity = 'warning' | 'critical';

export interface AlertConfig {
  /** Picks the exporter's series, including Prometheus' own `up` and scrape metrics of its job. */
  readonly selector: string;
  /**
   * Picks openstack-exporter's `openstack_neutron_router` series (empty: any job). When they are
   * present, router names and projects come from them; otherwise from the exporter's labels file.
   */
  readonly openstackSelector: string;
  /** Window of every rate(); several scrape intervals long so one late scrape barely moves it. */
  readonly rateWindow: string;
  /** Labels copied onto namespace alerts from the names recording rule (labels file or openstack-exporter). */
  readonly nameLabels: readonly string[];
  /** Where `docs/runbook.md` is published; each alert links to its own section (`#<alertname>` in lower case). */
  readonly runbookUrl: string;
  /** Base URL of the Grafana that has the shipped dashboards (their uids are fixed). */
  readonly grafanaUrl: string;
  readonly interfaceErrors: {
    /** Errors per packet above which an interface that carries traffic alerts. */
    readonly ratio: number;
    /** Errors per second that alert whatever the ratio: 500/s is a fault even at 0.5 % of a busy port. */
    readonly errorsPerSecondFloor: number;
    readonly ratioFor: string;
    /** Below this many packets per second an interface counts as idle: a ratio means nothing there. */
    readonly idleBelowPacketsPerSecond: number;
    /** Errors per second that, sustained on an idle interface, point at a link or driver fault. */
    readonly idleErrorsPerSecond: number;
    readonly idleFor: string;
    readonly severity: Severity;
  };
  readonly routerPortDrops: {
    readonly namespaces: string;
    readonly devices: string;
    /** Share of the packets (passed plus dropped) that is dropped. */
    readonly ratio: number;
    /** Drops per second below which no ratio alerts: a handful of drops on an idle port is noise. */
    readonly dropsPerSecondFloor: number;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly conntrack: {
    readonly warningRatio: number;
    readonly criticalRatio: number;
    readonly for: string;
  };
  readonly conntrackDrops: { readonly perSecond: number; readonly for: string; readonly severity: Severity };
  readonly collectionFailing: { readonly for: string; readonly severity: Severity };
  readonly exporterDown: { readonly for: string; readonly severity: Severity };
  readonly exporterAbsent: { readonly for: string; readonly severity: Severity };
  readonly seriesDropped: { readonly for: string; readonly severity: Severity };
  readonly labelsFile: { readonly for: string; readonly severity: Severity };
  readonly slowScrape: {
    /** Share of the scrape timeout above which scrapes count as slow. */
    readonly ratioOfTimeout: number;
    /**
     * The job's scrape timeout, used only when neither the exporter (`netns_scrape_timeout_seconds`,
     * read from Prometheus' X-Prometheus-Scrape-Timeout-Seconds header) nor Prometheus
     * (`scrape_timeout_seconds`, with `--enable-feature=extra-scrape-metrics`) reports it.
     */
    readonly fallbackTimeoutSeconds: number;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly routerPortDown: {
    /**
     * Operstates that mean down. Not `netns_network_up == 0`: OVS internal ports, which Neutron's
     * qg- and qr- ports are, report "unknown" while working. `(?i)`: `ip -j` prints upper case, sysfs lower.
     */
    readonly downOperstates: string;
    /** How far back a host counts as carrying a router when its exporter is down now. */
    readonly exporterDownLookback: string;
  };
  readonly gatewayDown: { readonly namespaces: string; readonly devices: string; readonly for: string; readonly severity: Severity };
  readonly internalPortDown: { readonly namespaces: string; readonly devices: string; readonly for: string; readonly severity: Severity };
  readonly namespacesCollapsed: {
    readonly kinds: string;
    /** Alert when a host carries fewer than this share of the most router namespaces it had over `lookback`. */
    readonly ratio: number;
    /** Hosts that had fewer router namespaces than this are left alone (a lab, a draining node). */
    readonly minimum: number;
    readonly lookback: string;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly haSplitBrain: { readonly for: string; readonly severity: Severity };
  readonly flapping: { readonly window: string; readonly changes: number; readonly for: string; readonly severity: Severity };
  readonly neighborFailures: {
    readonly devices: string;
    readonly states: string;
    readonly entries: number;
    readonly for: string;
    readonly severity: Severity;
  };
}

/** The shipped configuration. Change values here, then regenerate the rules file. */
export const alertConfig: AlertConfig = {
  selector: 'job="netns-exporter"',
  openstackSelector: '',
  rateWindow: '5m',
  nameLabels: ['project', 'router_name'],
  runbookUrl: 'https://netns-exporter.example.com/docs/runbook.md',
  grafanaUrl: 'https://grafana.example.com',
  interfaceErrors: {
    ratio: 0.01,
    errorsPerSecondFloor: 100,
    ratioFor: '15m',
    idleBelowPacketsPerSecond: 1,
    idleErrorsPerSecond: 0.1,
    idleFor: '15m',
    severity: 'warning',
  },
  routerPortDrops: {
    namespaces: 'qrouter-.*|snat-.*|fip-.*',
    devices: 'qr-.*|qg-.*|sg-.*|rfp-.*|fpr-.*|fg-.*',
    ratio: 0.01,
    dropsPerSecondFloor: 0.5,
    for: '15m',
    severity: 'warning',
  },
  conntrack: { warningRatio: 0.75, criticalRatio: 0.9, for: '5m' },
  conntrackDrops: { perSecond: 1, for: '10m', severity: 'warning' },
  collectionFailing: { for: '10m', severity: 'warning' },
  exporterDown: { for: '5m', severity: 'critical' },
  exporterAbsent: { for: '15m', severity: 'critical' },
  seriesDropped: { for: '15m', severity: 'warning' },
  labelsFile: { for: '15m', severity: 'warning' },
  slowScrape: { ratioOfTimeout: 0.8, fallbackTimeoutSeconds: 10, for: '15m', severity: 'warning' },
  routerPortDown: { downOperstates: '(?i)down|lowerlayerdown|notpresent', exporterDownLookback: '1h' },
  gatewayDown: { namespaces: 'qrouter-.*|snat-.*', devices: 'qg-.*', for: '5m', severity: 'critical' },
  internalPortDown: { namespaces: 'qrouter-.*', devices: 'qr-.*', for: '5m', severity: 'warning' },
  namespacesCollapsed: { kinds: 'qrouter|snat', ratio: 0.5, minimum: 10, lookback: '1h', for: '5m', severity: 'critical' },
  haSplitBrain: { for: '2m', severity: 'critical' },
  flapping: { window: '15m', changes: 6, for: '5m', severity: 'warning' },
  neighborFailures: {
    devices: 'qr-.*|qg-.*|sg-.*|rfp-.*|fpr-.*|fg-.*',
    states: 'failed|incomplete',
    entries: 10,
    for: '15m',
    severity: 'warning',
  },
};

/**
 * `config` with every `for` set to `forDuration` and every rate window to `rateWindow`, thresholds
 * untouched: for end-to-end tests against a live Prometheus that cannot wait fifteen minutes.
 */
export function withDurations(config: AlertConfig, forDuration: string, rateWindow: string): AlertConfig {
  const f = <T extends { readonly for: string }>(x: T): T => ({ ...x, for: forDuration });
  return {
    ...config,
    rateWindow,
    interfaceErrors: { ...config.interfaceErrors, ratioFor: forDuration, idleFor: forDuration },
    routerPortDrops: f(config.routerPortDrops),
    conntrack: f(config.conntrack),
    conntrackDrops: f(config.conntrackDrops),
    collectionFailing: f(config.collectionFailing),
    exporterDown: f(config.exporterDown),
    exporterAbsent: f(config.exporterAbsent),
    seriesDropped: f(config.seriesDropped),
    labelsFile: f(config.labelsFile),
    slowScrape: f(config.slowScrape),
    gatewayDown: f(config.gatewayDown),
    internalPortDown: f(config.internalPortDown),
    namespacesCollapsed: f(config.namespacesCollapsed),
    haSplitBrain: f(config.haSplitBrain),
    flapping: f(config.flapping),
    neighborFailures: f(config.neighborFailures),
  };
}

/** One Prometheus alerting rule, in the field order of the rules file. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: Severity };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
    readonly dashboard_url: string;
  };
}

/** One Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** Labels that identify one namespace on one exporter; `cluster` is the mixins' multi-cluster label (absent is fine). */
export const NAMESPACE_KEY = 'cluster, job, instance, netns';
const HOST_KEY = 'cluster, job, instance';

/**
 * The recording rule every namespace alert joins for its `kind`, `id`, `project` and `router_name`:
 * one series per (cluster, job, instance, netns), whatever duplicates `netns_info` has.
 */
export const NAMES_RECORD = 'netns:netns_info:names';

/** Per-namespace rates recorded for the fleet dashboard (node-mixin style `level:metric:operation`). */
export const RATE_RECORDS = [
  'receive_bytes',
  'transmit_bytes',
  'receive_packets',
  'transmit_packets',
  'receive_errs',
  'transmit_errs',
  'receive_drop',
  'transmit_drop',
].map((counter) => ({ counter, metric: `netns_network_${counter}_total`, record: `netns:netns_network_${counter}:rate5m` }));

/**
 * `netns_info` with router names and projects: openstack-exporter's `openstack_neutron_router`
 * (`name`, `project_id`) where it knows the router, else the labels file's `router_name` and `project`.
 * Guarded against duplicates on both sides (`topk by (...) (1, ...)`): a `netns_info` seen twice for
 * one namespace (labels changed across a restart, two monitors scraping) must not fail every join.
 * Routers (`qrouter`, `snat`) also get `router_id`, which drill-down links use.
 */
export function namesExpression(netnsInfo: string, openstackRouter: string): string {
  const info = `topk by (${NAMESPACE_KEY}) (1, ${netnsInfo})`;
  const openstack =
    `label_replace(label_replace(topk by (id) (1, ${openstackRouter}), "router_name", "$1", "name", "(.+)"), ` +
    '"project", "$1", "project_id", "(.+)")';
  const named = `(${info} * on(id) group_left(project, router_name) ${openstack}) or on(${NAMESPACE_KEY}) ${info}`;
  // router_id = id where kind is qrouter or snat: label_replace sees one label, so join kind and id first.
  const joined = `label_join(${named}, "kind_id", ";", "kind", "id")`;
  return `label_replace(label_replace(${joined}, "router_id", "$1", "kind_id", "(?:qrouter|snat);(.+)"), "kind_id", "", "kind_id", ".*")`;
}

const DIRECTIONS = [
  { metric: 'receive', Name: 'Receive', verb: 'received', noun: 'receive' },
  { metric: 'transmit', Name: 'Transmit', verb: 'transmitted', noun: 'transmit' },
] as const;

/** `0.01` as "1%": thresholds quoted in descriptions read like the values next to them. */
const percent = (ratio: number): string => `${Number((ratio * 100).toPrecision(6))}%`;

const WHERE = '{{ $labels.device }} in {{ $labels.netns }} on {{ $labels.instance }}';

function selectorFor(config: AlertConfig) {
  return (metric: string, ...matchers: string[]): string => `${metric}{${[config.selector, ...matchers].join(', ')}}`;
}

function openstackRouterSelector(config: AlertConfig): string {
  return config.openstackSelector ? `openstack_neutron_router{${config.openstackSelector}}` : 'openstack_neutron_router';
}

/** Builds the recording rules: the names join, then the per-namespace rates. */
export function buildRecordingRules(config: AlertConfig = alertConfig): RecordingRule[] {
  const sel = selectorFor(config);
  return [
    { record: NAMES_RECORD, expr: namesExpression(sel('netns_info'), openstackRouterSelector(config)) },
    ...RATE_RECORDS.map(({ metric, record }) => ({
      record,
      expr: `sum by (${NAMESPACE_KEY}) (rate(${sel(metric)}[${config.rateWindow}]))`,
    })),
  ];
}

/** Builds every alerting rule from `config`. */
export function buildAlertingRules(config: AlertConfig = alertConfig): AlertingRule[] {
  const sel = selectorFor(config);
  const rate = (series: string): string => `rate(${series}[${config.rateWindow}])`;
  const names = [...new Set(['kind', 'id', ...config.nameLabels])].join(', ');
  // Copies kind, id and the names onto a per-namespace expression. `group_left` of a label the
  // names series lack adds nothing, so this works without a labels file or openstack-exporter.
  const withNames = (expr: string): string => `(\n${indent(expr)}\n)\n* on(${NAMESPACE_KEY}) group_left(${names})\n  ${NAMES_RECORD}`;
  // The same for expressions about a router as a whole (by id, across hosts).
  const withRouterNames = (expr: string): string =>
    `(\n${indent(expr)}\n)\n* on(cluster, id) group_left(kind, ${config.nameLabels.join(', ')})\n  topk by (cluster, id) (1, ${NAMES_RECORD}{kind="qrouter"})`;

  const runbook = (alert: string): string => `${config.runbookUrl}#${alert.toLowerCase()}`;
  const fleetUrl = `${config.grafanaUrl}/d/netns-fleet-overview/network-namespaces-fleet-overview?var-instance={{ $labels.instance }}`;
  const routerUrl = `${config.grafanaUrl}/d/netns-tenant-router/network-namespaces-tenant-router?var-router={{ $labels.id }}&var-instance={{ $labels.instance }}`;
  // A namespace alert opens the router dashboard for routers, the fleet overview (that host) otherwise.
  const namespaceUrl = `{{ if or (eq $labels.kind "qrouter") (eq $labels.kind "snat") }}${routerUrl}{{ else }}${fleetUrl}{{ end }}`;
  const rules: AlertingRule[] = [];
  const add = (
    alert: string,
    expr: string,
    forDuration: string,
    severity: Severity,
    summary: string,
    description: string,
    dashboard: 'router' | 'namespace' | 'fleet',
  ): void => {
    const dashboardUrl = dashboard === 'router' ? routerUrl : dashboard === 'namespace' ? namespaceUrl : fleetUrl;
    rules.push({
      alert,
      expr,
      for: forDuration,
      labels: { severity },
      annotations: { summary, description, runbook_url: runbook(alert), dashboard_url: dashboardUrl },
    });
  };

  const { interfaceErrors: errors, routerPortDrops: drops, conntrack, slowScrape } = config;

  for (const d of DIRECTIONS) {
    const packets = rate(sel(`netns_network_${d.metric}_packets_total`));
    const errs = rate(sel(`netns_network_${d.metric}_errs_total`));
    const ratio = `(\n  ${errs}\n/\n  ${packets}\n)`;
    add(
      `NetnsInterface${d.Name}ErrorRatioHigh`,
      withNames(
        `${ratio} > ${errors.ratio}\nand\n${packets} >= ${errors.idleBelowPacketsPerSecond}\n` +
          `or\n${ratio}\nand\n${errs} > ${errors.errorsPerSecondFloor}`,
      ),
      errors.ratioFor,
      errors.severity,
      `${d.Name} errors on {{ $labels.device }} in {{ $labels.netns }}`,
      `{{ $value | humanizePercentage }} of the packets ${d.verb} on ${WHERE} had errors over the last ${config.rateWindow} ` +
        `(threshold ${percent(errors.ratio)}, or more than ${errors.errorsPerSecondFloor} errors/s at any ratio, for ${errors.ratioFor}).`,
      'namespace',
    );
  }
  for (const d of DIRECTIONS) {
    add(
      `NetnsInterface${d.Name}ErrorsWhileIdle`,
      withNames(
        `${rate(sel(`netns_network_${d.metric}_errs_total`))} > ${errors.idleErrorsPerSecond}\n` +
          `and\n${rate(sel(`netns_network_${d.metric}_packets_total`))} < ${errors.idleBelowPacketsPerSecond}`,
      ),
      errors.idleFor,
      errors.severity,
      `${d.Name} errors on idle-looking {{ $labels.device }} in {{ $labels.netns }}`,
      `${WHERE} counts {{ $value | humanize }} ${d.noun} errors per second while it ${d.verb} fewer than ` +
        `${errors.idleBelowPacketsPerSecond} packet${errors.idleBelowPacketsPerSecond === 1 ? '' : 's'} per second, for ${errors.idleFor}: a link or driver fault rather than load.`,
      'namespace',
    );
  }
  for (const d of DIRECTIONS) {
    const m = (name: string) => sel(`netns_network_${d.metric}_${name}_total`, `netns=~"${drops.namespaces}"`, `device=~"${drops.devices}"`);
    const dropRate = rate(m('drop'));
    add(
      `NetnsRouterPort${d.Name}Drops`,
      withNames(
        `(\n  ${dropRate}\n/\n  (${rate(m('packets'))} + ${dropRate})\n) > ${drops.ratio}\n` +
          `and\n${dropRate} > ${drops.dropsPerSecondFloor}`,
      ),
      drops.for,
      drops.severity,
      `Router port {{ $labels.device }} in {{ $labels.netns }} drops ${d.verb} packets`,
      `${WHERE} dropped {{ $value | humanizePercentage }} of its ${d.verb} packets over the last ${config.rateWindow} ` +
        `(threshold ${percent(drops.ratio)} with more than ${drops.dropsPerSecondFloor} drops/s, for ${drops.for}).`,
      'namespace',
    );
  }

  const conntrackUse = `${sel('netns_nf_conntrack_entries')}\n/\n(${sel('netns_nf_conntrack_entries_limit')} > 0)`;
  for (const [level, ratio] of [
    ['warning', conntrack.warningRatio],
    ['critical', conntrack.criticalRatio],
  ] as const) {
    add(
      level === 'warning' ? 'NetnsConntrackTableFilling' : 'NetnsConntrackTableNearlyFull',
      withNames(`${conntrackUse}\n> ${ratio}`),
      conntrack.for,
      level,
      `Conntrack table of {{ $labels.netns }} is ${level === 'warning' ? 'filling' : 'nearly full'}`,
      `Namespace {{ $labels.netns }} on {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its conntrack limit ` +
        `(threshold ${percent(ratio)} for ${conntrack.for}). When it is full the kernel drops new connections.`,
      'namespace',
    );
  }
  add(
    'NetnsConntrackDrops',
    withNames(
      // One rate per counter, told apart by a `stat` label: rate() drops the metric name, and three
      // series with one label set would be an error.
      `sum by (${NAMESPACE_KEY}) (\n` +
        ['insert_failed', 'drop', 'early_drop']
          .map((stat) => `  label_replace(${rate(sel(`netns_nf_conntrack_stat_${stat}_total`))}, "stat", "${stat}", "", "")`)
          .join('\n  or\n') +
        `\n)\n> ${config.conntrackDrops.perSecond}`,
    ),
    config.conntrackDrops.for,
    config.conntrackDrops.severity,
    'Conntrack in {{ $labels.netns }} drops connections',
    `Namespace {{ $labels.netns }} on {{ $labels.instance }} counts {{ $value | humanize }} conntrack insert failures, drops and early drops per second ` +
      `(threshold ${config.conntrackDrops.perSecond}/s for ${config.conntrackDrops.for}): packets of new connections are being dropped.`,
    'namespace',
  );

  add(
    'NetnsCollectionFailing',
    `count by (${HOST_KEY}, collector) (\n  ${sel('netns_collector_success')} == 0\n)`,
    config.collectionFailing.for,
    config.collectionFailing.severity,
    'Collector {{ $labels.collector }} fails on {{ $labels.instance }}',
    `The {{ $labels.collector }} collector has failed for {{ $value }} namespaces on {{ $labels.instance }} ` +
      `for ${config.collectionFailing.for}, so their metrics are missing. One alert per host and collector; the exporter log names each namespace and the reason.`,
    'fleet',
  );
  add(
    'NetnsExporterDown',
    `${sel('up')} == 0`,
    config.exporterDown.for,
    config.exporterDown.severity,
    'netns-exporter on {{ $labels.instance }} is down',
    `Prometheus has failed to scrape netns-exporter on {{ $labels.instance }} for ${config.exporterDown.for} ` +
      '(up = {{ $value }}): no namespace metrics from this host.',
    'fleet',
  );
  add(
    'NetnsExporterAbsent',
    `absent(${sel('up')})`,
    config.exporterAbsent.for,
    config.exporterAbsent.severity,
    'No netns-exporter target is discovered',
    `Prometheus has had no target for ${config.selector} for ${config.exporterAbsent.for} (absent = {{ $value }}): ` +
      'service discovery finds no exporter, so no namespace is monitored and no other netns alert can fire.',
    'fleet',
  );
  add(
    'NetnsExporterScrapeSlow',
    `${sel('scrape_duration_seconds')}\n/ on(${HOST_KEY})\n  (\n` +
      `    ${sel('netns_scrape_timeout_seconds')}\n  or on(${HOST_KEY})\n` +
      `    ${sel('scrape_timeout_seconds')}\n  or on(${HOST_KEY})\n` +
      `    ${sel('scrape_duration_seconds')} * 0 + ${slowScrape.fallbackTimeoutSeconds}\n  )\n> ${slowScrape.ratioOfTimeout}`,
    slowScrape.for,
    slowScrape.severity,
    'netns-exporter on {{ $labels.instance }} is close to its scrape timeout',
    'Scrapes of netns-exporter on {{ $labels.instance }} take {{ $value | humanizePercentage }} of the scrape timeout ' +
      `(threshold ${percent(slowScrape.ratioOfTimeout)} for ${slowScrape.for}). Past 100% every scrape fails and all metrics of this host go missing.`,
    'fleet',
  );
  add(
    'NetnsSeriesDropped',
    `${sel('netns_scrape_series_dropped')} > 0`,
    config.seriesDropped.for,
    config.seriesDropped.severity,
    'netns-exporter on {{ $labels.instance }} leaves namespaces out (--collector.max-series)',
    `netns-exporter on {{ $labels.instance }} dropped {{ $value }} series per scrape for ${config.seriesDropped.for} because it reached ` +
      '--collector.max-series: whole namespaces are missing and their alerts cannot fire.',
    'fleet',
  );
  add(
    'NetnsLabelsFileReloadFailing',
    `${sel('netns_labels_file_reload_success')} == 0`,
    config.labelsFile.for,
    config.labelsFile.severity,
    'netns-exporter on {{ $labels.instance }} cannot reload its labels file',
    `The last reload of --netns.labels-file on {{ $labels.instance }} failed (success = {{ $value }}) for ${config.labelsFile.for}: ` +
      'the exporter keeps the last good mapping, so new routers show without names.',
    'fleet',
  );
  const collapse = config.namespacesCollapsed;
  const routerCount = `sum by (${HOST_KEY}) (${sel('netns_namespaces', `kind=~"${collapse.kinds}"`)})`;
  const routerPeak = `sum by (${HOST_KEY}) (max_over_time(${sel('netns_namespaces', `kind=~"${collapse.kinds}"`)}[${collapse.lookback}]))`;
  add(
    'NetnsRouterNamespacesCollapsed',
    // A host whose exporter answers but reports no router namespace at all counts as 0, not as absent.
    `(\n  ${routerCount}\n  or on(${HOST_KEY})\n  group by (${HOST_KEY}) (${sel('netns_exporter_build_info')}) * 0\n)\n` +
      `< ${collapse.ratio} * ${routerPeak}\nand on(${HOST_KEY})\n${routerPeak} >= ${collapse.minimum}`,
    collapse.for,
    collapse.severity,
    'Router namespaces on {{ $labels.instance }} collapsed',
    `{{ $labels.instance }} carries {{ $value }} router namespaces (${collapse.kinds}), fewer than ${percent(collapse.ratio)} of its peak in the last ${collapse.lookback}, ` +
      `for ${collapse.for}: routers were removed or the L3 agent lost them. Silence during a planned evacuation.`,
    'fleet',
  );

  // Per router, not per host: an HA router keeps its backup's ports down on purpose, so only a router
  // whose port is down on every host that has it is cut off. A host whose exporter is down now but
  // carried the router within the lookback may be the HA primary: no alert until it is back.
  const portDown = (kind: 'gateway' | 'internal') => {
    const c = kind === 'gateway' ? config.gatewayDown : config.internalPortDown;
    const down = config.routerPortDown.downOperstates;
    const ports = (operstate: string): string =>
      `${sel('netns_network_info', `netns=~"${c.namespaces}"`, `device=~"${c.devices}"`, operstate)}\n` +
      `* on(${NAMESPACE_KEY}) group_left(id)\n  ${NAMES_RECORD}`;
    const same = kind === 'gateway' ? 'cluster, id' : 'cluster, id, device';
    return withNames(
      `(\n${indent(ports(`operstate=~"${down}"`))}\n)\n` +
        `unless on(${same})\n(\n${indent(ports(`operstate!~"${down}"`))}\n)\n` +
        `unless on(cluster, id)\n(\n  max_over_time(${sel('netns_info')}[${config.routerPortDown.exporterDownLookback}])\n` +
        `  * on(${HOST_KEY}) group_left()\n  (${sel('up')} == 0)\n)`,
    );
  };
  add(
    'NetnsRouterGatewayDown',
    portDown('gateway'),
    config.gatewayDown.for,
    config.gatewayDown.severity,
    'Gateway port {{ $labels.device }} of router {{ $labels.id }} is down',
    'Gateway port {{ $labels.device }} of router {{ $labels.id }} has been {{ $labels.operstate }} in {{ $labels.netns }} ' +
      `on {{ $labels.instance }} for ${config.gatewayDown.for}, and no other host has it up: the router has no external connectivity.`,
    'router',
  );
  add(
    'NetnsRouterInternalPortDown',
    portDown('internal'),
    config.internalPortDown.for,
    config.internalPortDown.severity,
    'Internal port {{ $labels.device }} of router {{ $labels.id }} is down',
    'Tenant subnet port {{ $labels.device }} of router {{ $labels.id }} has been {{ $labels.operstate }} in {{ $labels.netns }} ' +
      `on {{ $labels.instance }} for ${config.internalPortDown.for}, and no other host has it up: that subnet has lost its router.`,
    'router',
  );
  add(
    'NetnsRouterHASplitBrain',
    withRouterNames(`count by (cluster, id) (\n  ${sel('netns_router_ha_state', 'state="primary"')} == 1\n) > 1`),
    config.haSplitBrain.for,
    config.haSplitBrain.severity,
    'HA router {{ $labels.id }} is primary on {{ $value }} hosts',
    `Router {{ $labels.id }} has been primary on {{ $value }} hosts at once for ${config.haSplitBrain.for}: ` +
      'both answer for the same gateway and tenant addresses, and traffic flaps between them.',
    'router',
  );
  const flap = config.flapping;
  add(
    'NetnsInterfaceFlapping',
    withNames(`increase(${sel('netns_network_carrier_changes_total')}[${flap.window}]) >= ${flap.changes}`),
    flap.for,
    flap.severity,
    '{{ $labels.device }} in {{ $labels.netns }} is flapping',
    `${WHERE} changed carrier {{ $value | humanize }} times in ${flap.window} (threshold ${flap.changes}, for ${flap.for}): ` +
      'a link that goes up and down, or a port Neutron keeps re-plugging.',
    'namespace',
  );
  const neigh = config.neighborFailures;
  add(
    'NetnsNeighborFailures',
    withNames(
      `sum by (${NAMESPACE_KEY}, device) (\n  ${sel('netns_neighbor_entries', `device=~"${neigh.devices}"`, `state=~"${neigh.states}"`)}\n) >= ${neigh.entries}`,
    ),
    neigh.for,
    neigh.severity,
    'Neighbours unreachable behind {{ $labels.device }} in {{ $labels.netns }}',
    `${WHERE} has {{ $value }} neighbour entries in state ${neigh.states.replace('|', ' or ')} (threshold ${neigh.entries}, for ${neigh.for}): ` +
      'ARP/ND gets no answer from the next hop or the instances behind this port.',
    'namespace',
  );
  return rules;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** The exact text of `netns-exporter.rules.yml`. */
export function renderRulesFile(config: AlertConfig = alertConfig): string {
  const header =
    '# Generated from src/alerting/rules.ts: change thresholds there, then run\n' +
    '#   UPDATE_RULES=1 npx vitest run test/alerts\n';
  return (
    header +
    stringify(
      {
        groups: [
          { name: 'netns-exporter.records', rules: buildRecordingRules(config) },
          { name: 'netns-exporter', rules: buildAlertingRules(config) },
        ],
      },
      { lineWidth: 0 },
    )
  );
}
