// Alert rules for netns-exporter. Every threshold, `for` duration and selector lives in `alertConfig`;
// `netns-exporter.rules.yml` is generated from it (UPDATE_RULES=1 npx vitest run test/alerts).
import { stringify } from 'yaml';

export type Severity = 'warning' | 'critical';

export interface AlertConfig {
  /** Picks the exporter's series, including Prometheus' own `up` and scrape metrics of its job. */
  readonly selector: string;
  /** Window of every rate(); several scrape intervals long so one late scrape barely moves it. */
  readonly rateWindow: string;
  /** Labels from `--netns.labels-file` copied from `netns_info` onto namespace alerts when present. */
  readonly nameLabels: readonly string[];
  readonly interfaceErrors: {
    /** Errors per packet above which an interface that carries traffic alerts. */
    readonly ratio: number;
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
    readonly dropsPerSecond: number;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly conntrack: {
    readonly warningRatio: number;
    readonly criticalRatio: number;
    readonly for: string;
  };
  readonly collectionFailing: { readonly for: string; readonly severity: Severity };
  readonly exporterDown: { readonly for: string; readonly severity: Severity };
  readonly slowScrape: {
    /** Share of the scrape timeout above which scrapes count as slow. */
    readonly ratioOfTimeout: number;
    /**
     * The job's scrape timeout, used when Prometheus does not export `scrape_timeout_seconds`
     * (it does only with `--enable-feature=extra-scrape-metrics`). Prometheus' default is 10s.
     */
    readonly fallbackTimeoutSeconds: number;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly gatewayDown: {
    readonly namespaces: string;
    readonly devices: string;
    /**
     * Operstates that mean down. Not `netns_network_up == 0`: OVS internal ports, which Neutron's
     * qg- ports are, report "unknown" while working. `(?i)`: `ip -j` prints upper case, sysfs lower.
     */
    readonly downOperstates: string;
    readonly for: string;
    readonly severity: Severity;
  };
}

/** The shipped configuration. Change values here, then regenerate the rules file. */
export const alertConfig: AlertConfig = {
  selector: 'job="netns-exporter"',
  rateWindow: '5m',
  nameLabels: ['project', 'router_name'],
  interfaceErrors: {
    ratio: 0.01,
    ratioFor: '15m',
    idleBelowPacketsPerSecond: 1,
    idleErrorsPerSecond: 0.1,
    idleFor: '15m',
    severity: 'warning',
  },
  routerPortDrops: {
    namespaces: 'qrouter-.*|snat-.*|fip-.*',
    devices: 'qr-.*|qg-.*|sg-.*|rfp-.*|fpr-.*|fg-.*',
    dropsPerSecond: 10,
    for: '15m',
    severity: 'warning',
  },
  conntrack: { warningRatio: 0.75, criticalRatio: 0.9, for: '5m' },
  collectionFailing: { for: '10m', severity: 'warning' },
  exporterDown: { for: '5m', severity: 'critical' },
  slowScrape: { ratioOfTimeout: 0.8, fallbackTimeoutSeconds: 10, for: '15m', severity: 'warning' },
  gatewayDown: {
    namespaces: 'qrouter-.*|snat-.*',
    devices: 'qg-.*',
    downOperstates: '(?i)down|lowerlayerdown|notpresent',
    for: '5m',
    severity: 'critical',
  },
};

/**
 * `config` with every `for` set to `forDuration` and every rate window to `rateWindow`, thresholds
 * untouched: for end-to-end tests against a live Prometheus that cannot wait fifteen minutes.
 */
export function withDurations(config: AlertConfig, forDuration: string, rateWindow: string): AlertConfig {
  return {
    ...config,
    rateWindow,
    interfaceErrors: { ...config.interfaceErrors, ratioFor: forDuration, idleFor: forDuration },
    routerPortDrops: { ...config.routerPortDrops, for: forDuration },
    conntrack: { ...config.conntrack, for: forDuration },
    collectionFailing: { ...config.collectionFailing, for: forDuration },
    exporterDown: { ...config.exporterDown, for: forDuration },
    slowScrape: { ...config.slowScrape, for: forDuration },
    gatewayDown: { ...config.gatewayDown, for: forDuration },
  };
}

/** One Prometheus alerting rule, in the field order of the rules file. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: Severity };
  readonly annotations: { readonly summary: string; readonly description: string };
}

const DIRECTIONS = [
  { metric: 'receive', Name: 'Receive', verb: 'received', noun: 'receive' },
  { metric: 'transmit', Name: 'Transmit', verb: 'transmitted', noun: 'transmit' },
] as const;

/** `0.01` as "1%": thresholds quoted in descriptions read like the values next to them. */
const percent = (ratio: number): string => `${Number((ratio * 100).toPrecision(6))}%`;

const WHERE = '{{ $labels.device }} in {{ $labels.netns }} on {{ $labels.instance }}';

/** Builds every alerting rule from `config`. */
export function buildAlertingRules(config: AlertConfig = alertConfig): AlertingRule[] {
  const sel = (metric: string, ...matchers: string[]): string => `${metric}{${[config.selector, ...matchers].join(', ')}}`;
  const rate = (series: string): string => `rate(${series}[${config.rateWindow}])`;
  // `group_left` of a label netns_info does not have adds nothing, so this works without a labels file.
  const withNames = (expr: string): string =>
    `(\n${indent(expr)}\n)\n* on(job, instance, netns) group_left(${config.nameLabels.join(', ')})\n  ${sel('netns_info')}`;

  const { interfaceErrors: errors, routerPortDrops: drops, conntrack, slowScrape, gatewayDown } = config;
  const rules: AlertingRule[] = [];

  for (const d of DIRECTIONS) {
    const packets = rate(sel(`netns_network_${d.metric}_packets_total`));
    const errs = rate(sel(`netns_network_${d.metric}_errs_total`));
    rules.push({
      alert: `NetnsInterface${d.Name}ErrorRatioHigh`,
      expr: withNames(
        `(\n  ${errs}\n/\n  ${packets}\n) > ${errors.ratio}\n` +
          `and\n${packets} >= ${errors.idleBelowPacketsPerSecond}`,
      ),
      for: errors.ratioFor,
      labels: { severity: errors.severity },
      annotations: {
        summary: `${d.Name} errors on {{ $labels.device }} in {{ $labels.netns }}`,
        description:
          `{{ $value | humanizePercentage }} of the packets ${d.verb} on ${WHERE} had errors over the last ${config.rateWindow} ` +
          `(threshold ${percent(errors.ratio)} for ${errors.ratioFor}).`,
      },
    });
  }
  for (const d of DIRECTIONS) {
    rules.push({
      alert: `NetnsInterface${d.Name}ErrorsWhileIdle`,
      expr: withNames(
        `${rate(sel(`netns_network_${d.metric}_errs_total`))} > ${errors.idleErrorsPerSecond}\n` +
          `and\n${rate(sel(`netns_network_${d.metric}_packets_total`))} < ${errors.idleBelowPacketsPerSecond}`,
      ),
      for: errors.idleFor,
      labels: { severity: errors.severity },
      annotations: {
        summary: `${d.Name} errors on idle-looking {{ $labels.device }} in {{ $labels.netns }}`,
        description:
          `${WHERE} counts {{ $value | humanize }} ${d.noun} errors per second while it ${d.verb} fewer than ` +
          `${errors.idleBelowPacketsPerSecond} packet${errors.idleBelowPacketsPerSecond === 1 ? '' : 's'} per second, for ${errors.idleFor}: a link or driver fault rather than load.`,
      },
    });
  }
  for (const d of DIRECTIONS) {
    rules.push({
      alert: `NetnsRouterPort${d.Name}Drops`,
      expr: withNames(
        `${rate(sel(`netns_network_${d.metric}_drop_total`, `netns=~"${drops.namespaces}"`, `device=~"${drops.devices}"`))} > ${drops.dropsPerSecond}`,
      ),
      for: drops.for,
      labels: { severity: drops.severity },
      annotations: {
        summary: `Router port {{ $labels.device }} in {{ $labels.netns }} drops ${d.verb} packets`,
        description:
          `${WHERE} dropped {{ $value | humanize }} ${d.verb} packets per second over the last ${config.rateWindow} ` +
          `(threshold ${drops.dropsPerSecond}/s for ${drops.for}).`,
      },
    });
  }

  const conntrackUse = `${sel('netns_nf_conntrack_entries')}\n/\n(${sel('netns_nf_conntrack_entries_limit')} > 0)`;
  for (const [level, ratio] of [
    ['warning', conntrack.warningRatio],
    ['critical', conntrack.criticalRatio],
  ] as const) {
    rules.push({
      alert: level === 'warning' ? 'NetnsConntrackTableFilling' : 'NetnsConntrackTableNearlyFull',
      expr: withNames(`${conntrackUse}\n> ${ratio}`),
      for: conntrack.for,
      labels: { severity: level },
      annotations: {
        summary: `Conntrack table of {{ $labels.netns }} is ${level === 'warning' ? 'filling' : 'nearly full'}`,
        description:
          `Namespace {{ $labels.netns }} on {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its conntrack limit ` +
          `(threshold ${percent(ratio)} for ${conntrack.for}). When it is full the kernel drops new connections.`,
      },
    });
  }

  rules.push({
    alert: 'NetnsCollectionFailing',
    expr: withNames(`${sel('netns_collector_success')} == 0`),
    for: config.collectionFailing.for,
    labels: { severity: config.collectionFailing.severity },
    annotations: {
      summary: 'Collector {{ $labels.collector }} fails for {{ $labels.netns }}',
      description:
        `The {{ $labels.collector }} collector has failed for namespace {{ $labels.netns }} on {{ $labels.instance }} ` +
        `for ${config.collectionFailing.for} (netns_collector_success = {{ $value }}), so its metrics are missing. The exporter log gives the reason.`,
    },
  });
  rules.push({
    alert: 'NetnsExporterDown',
    expr: `${sel('up')} == 0`,
    for: config.exporterDown.for,
    labels: { severity: config.exporterDown.severity },
    annotations: {
      summary: 'netns-exporter on {{ $labels.instance }} is down',
      description:
        `Prometheus has failed to scrape netns-exporter on {{ $labels.instance }} for ${config.exporterDown.for} ` +
        '(up = {{ $value }}): no namespace metrics from this host.',
    },
  });
  rules.push({
    alert: 'NetnsExporterScrapeSlow',
    expr:
      `${sel('scrape_duration_seconds')}\n/ on(job, instance)\n  (\n` +
      `    ${sel('scrape_timeout_seconds')}\n  or on(job, instance)\n` +
      `    ${sel('scrape_duration_seconds')} * 0 + ${slowScrape.fallbackTimeoutSeconds}\n  )\n> ${slowScrape.ratioOfTimeout}`,
    for: slowScrape.for,
    labels: { severity: slowScrape.severity },
    annotations: {
      summary: 'netns-exporter on {{ $labels.instance }} is close to its scrape timeout',
      description:
        'Scrapes of netns-exporter on {{ $labels.instance }} take {{ $value | humanizePercentage }} of the scrape timeout ' +
        `(threshold ${percent(slowScrape.ratioOfTimeout)} for ${slowScrape.for}). Past 100% every scrape fails and all metrics of this host go missing.`,
    },
  });

  // Per router, not per host: an HA router keeps its backup's qg- port down on purpose, so only a
  // router whose gateway is down on every host that has it is without external connectivity.
  const gatewayPorts = (operstate: string): string =>
    `${sel('netns_network_info', `netns=~"${gatewayDown.namespaces}"`, `device=~"${gatewayDown.devices}"`, operstate)}\n` +
    `* on(job, instance, netns) group_left(id)\n  ${sel('netns_info')}`;
  rules.push({
    alert: 'NetnsRouterGatewayDown',
    expr: withNames(
      `(\n${indent(gatewayPorts(`operstate=~"${gatewayDown.downOperstates}"`))}\n)\n` +
        `unless on(id)\n(\n${indent(gatewayPorts(`operstate!~"${gatewayDown.downOperstates}"`))}\n)`,
    ),
    for: gatewayDown.for,
    labels: { severity: gatewayDown.severity },
    annotations: {
      summary: 'Gateway port {{ $labels.device }} of router {{ $labels.id }} is down',
      description:
        'Gateway port {{ $labels.device }} of router {{ $labels.id }} has been {{ $labels.operstate }} in {{ $labels.netns }} ' +
        `on {{ $labels.instance }} for ${gatewayDown.for}, and no other host has it up: the router has no external connectivity.`,
    },
  });
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
    '# Generated from deploy/prometheus/rules.ts: change thresholds there, then run\n' +
    '#   UPDATE_RULES=1 npx vitest run test/alerts\n';
  return header + stringify({ groups: [{ name: 'netns-exporter', rules: buildAlertingRules(config) }] }, { lineWidth: 0 });
}
