// Alert and recording rules for netns-exporter, built from an AlertConfig (config.ts). The shipped
// files are `netns-exporter rules` output for the defaults (render.ts; test/alerts checks them).
//
// Every alert carries `severity`, `scope` and `symptom` (docs/runbook.md, the Alertmanager contract):
// - scope exporter: the target itself; host: one network node; namespace: one namespace on one host;
//   router: a router across its hosts (no `instance`: the hosts are named in the description).
// - Labels come only from the exporter's series and the scrape target, plus `project_id` from
//   openstack-exporter bridged over its gaps: names that can change while a fault lasts (project,
//   router_name) go to annotations, read at notification time, so `for` never starts again.
import type { AlertConfig, Severity } from './config.js';
import { alertConfig } from './config.js';
import {
  IDENTITY_RECORD,
  indent,
  keysFor,
  NAMES_RECORD,
  OPENSTACK_ROUTER_RECORD,
  openstackRouterSelector,
  percent,
  RATE_RECORDS,
  ROUTER_COUNT_RECORD,
  ROUTER_PEAK_RECORD,
  selectorFor,
  templatesFor,
} from './promql.js';

// The module the dashboards, the e2e tests and the bench import: the configuration and renderers too.
export type { AlertConfig, Severity } from './config.js';
export { alertConfig, withDurations } from './config.js';
export { IDENTITY_RECORD, NAMES_RECORD, NAMESPACE_KEY, RATE_RECORDS, ROUTER_COUNT_RECORD, ROUTER_PEAK_RECORD } from './promql.js';
export { renderPrometheusRule, renderRulesFile } from './render.js';

export type Scope = 'exporter' | 'host' | 'namespace' | 'router';

/** One Prometheus alerting rule, in the field order of the rules file. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: Severity; readonly scope: Scope; readonly symptom: string; readonly kind?: string };
  readonly annotations: Readonly<Record<string, string>> & {
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

/**
 * `netns_info` with router names and projects: openstack-exporter's `openstack_neutron_router`
 * (`name`, `project_id`) where it knows the router, else the labels file's `router_name` and `project`.
 * Guarded against duplicates on both sides (`topk by (...) (1, ...)`): a `netns_info` seen twice for
 * one namespace (labels changed across a restart, two monitors scraping) must not fail every join.
 * Routers (`qrouter`, `snat`) also get `router_id`, which drill-down links use.
 */
export function namesExpression(netnsInfo: string, openstackRouter: string, namespaceKey = 'cluster, job, instance, netns'): string {
  const info = `topk by (${namespaceKey}) (1, ${netnsInfo})`;
  const openstack =
    `label_replace(label_replace(topk by (id) (1, ${openstackRouter}), "router_name", "$1", "name", "(.+)"), ` +
    '"project", "$1", "project_id", "(.+)")';
  const named = `(${info} * on(id) group_left(project, router_name) ${openstack}) or on(${namespaceKey}) ${info}`;
  // router_id = id where kind is qrouter or snat: label_replace sees one label, so join kind and id first.
  const joined = `label_join(${named}, "kind_id", ";", "kind", "id")`;
  return `label_replace(label_replace(${joined}, "router_id", "$1", "kind_id", "(?:qrouter|snat);(.+)"), "kind_id", "", "kind_id", ".*")`;
}

const DIRECTIONS = [
  { metric: 'receive', Name: 'Receive', verb: 'received', noun: 'receive' },
  { metric: 'transmit', Name: 'Transmit', verb: 'transmitted', noun: 'transmit' },
] as const;

const WHERE = '{{ $labels.device }} in {{ $labels.netns }} on {{ $labels.instance }}';

/** Builds the recording rules: openstack-exporter bridged, names, identity, per-namespace rates, router counts per host. */
export function buildRecordingRules(config: AlertConfig = alertConfig): RecordingRule[] {
  const sel = selectorFor(config);
  const keys = keysFor(config);
  const openstack = openstackRouterSelector(config);
  const info = `max by (${keys.namespace}, kind, id) (${sel('netns_info')})`;
  const collapse = config.namespacesCollapsed;
  return [
    {
      // The current series where there is one, else the last seen within the bridge.
      record: OPENSTACK_ROUTER_RECORD,
      expr: `topk by (id) (1, ${openstack} or on(id) last_over_time(${openstack}[${config.openstackBridge}]))`,
    },
    { record: NAMES_RECORD, expr: namesExpression(sel('netns_info'), OPENSTACK_ROUTER_RECORD, keys.namespace) },
    {
      // netns_info without the labels file's names, which an edit changes: what alerts are keyed on.
      record: IDENTITY_RECORD,
      expr: `${info}\n* on(id) group_left(project_id)\n  max by (id, project_id) (${OPENSTACK_ROUTER_RECORD})\nor on(${keys.namespace})\n${info}`,
    },
    ...RATE_RECORDS.map(({ metric, record }) => ({
      record,
      expr: `sum by (${keys.namespace}) (rate(${sel(metric)}[${config.rateWindow}]))`,
    })),
    {
      // A host whose exporter answers but reports no router namespace at all counts as 0, not as absent.
      record: ROUTER_COUNT_RECORD,
      expr:
        `sum by (${keys.host}) (${sel('netns_namespaces', `kind=~"${collapse.kinds}"`)})\n` +
        `or on(${keys.host})\ngroup by (${keys.host}) (${sel('netns_exporter_build_info')}) * 0`,
    },
    {
      // The peak over the lookback, except while collapsed: then the peak from before, read back from
      // this rule's own last value, so the alert does not resolve when the lookback has slid past it.
      record: ROUTER_PEAK_RECORD,
      expr:
        `(\n  ${ROUTER_PEAK_RECORD}\n  and on(${keys.host})\n  (${ROUTER_COUNT_RECORD} < ${collapse.ratio} * ${ROUTER_PEAK_RECORD})\n)\n` +
        `or on(${keys.host})\nmax_over_time(${ROUTER_COUNT_RECORD}[${collapse.lookback}])`,
    },
  ];
}

/** Builds every alerting rule from `config`. */
export function buildAlertingRules(config: AlertConfig = alertConfig): AlertingRule[] {
  const sel = selectorFor(config);
  const keys = keysFor(config);
  const t = templatesFor(config);
  const rate = (series: string): string => `rate(${series}[${config.rateWindow}])`;
  const down = config.routerPortDown.downOperstates;

  // Copies kind, id (and project_id) onto a per-namespace expression, and keeps only the namespaces of
  // namespaceSelector. `group_left` of a label the identity lacks adds nothing.
  const withIdentity = (expr: string): string =>
    `(\n${indent(expr)}\n)\n* on(${keys.namespace}) group_left(kind, id, project_id)\n  ${IDENTITY_RECORD}{${config.namespaceSelector}}`;
  // project_id onto a router-wide expression (by cluster and id).
  const withRouterProject = (expr: string): string =>
    `(\n${indent(expr)}\n)\n* on(${keys.router}) group_left(project_id)\n  topk by (${keys.router}) (1, max by (${keys.router}, project_id) (${IDENTITY_RECORD}))`;
  // Hosts where an HA router is not primary (backup, fault): their ports are down on purpose.
  const notPrimary = `max by (${keys.host}, id) (${sel('netns_router_ha_state', 'state="primary"')}) == 0`;

  const runbook = (alert: string): string => `${config.runbookUrl}#${alert.toLowerCase()}`;
  const fleetUrl = `${config.grafanaUrl}/d/netns-fleet-overview/network-namespaces-fleet-overview?var-instance={{ $labels.instance }}`;
  const routerHostUrl = `${config.grafanaUrl}/d/netns-tenant-router/network-namespaces-tenant-router?var-router={{ $labels.id }}&var-instance={{ $labels.instance }}`;
  // Router-wide alerts open the router on all its hosts: the dashboard's instance variable defaults to All.
  const routerUrl = `${config.grafanaUrl}/d/netns-tenant-router/network-namespaces-tenant-router?var-router={{ $labels.id }}`;
  // A namespace alert opens the router dashboard for routers, the fleet overview (that host) otherwise.
  const namespaceUrl = `{{ if or (eq $labels.kind "qrouter") (eq $labels.kind "snat") }}${routerHostUrl}{{ else }}${fleetUrl}{{ end }}`;
  const dashboards = {
    router: routerUrl,
    namespace: namespaceUrl,
    fleet: fleetUrl,
    fleetWide: `${config.grafanaUrl}/d/netns-fleet-overview/network-namespaces-fleet-overview`,
  } as const;

  const rules: AlertingRule[] = [];
  interface Alert {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly severity: Severity;
    readonly scope: Scope;
    readonly symptom: string;
    readonly summary: string;
    readonly description: string;
    readonly kind?: string;
    /** The alert has no instance: the fleet overview on every host. */
    readonly fleetWide?: boolean;
  }
  // A host or namespace alert keeps firing while its host is not scraped: its series went stale with
  // the exporter, which says nothing about the fault. Without this it would resolve at once and send
  // a "resolved" before NetnsExporterDown fires and inhibits it (deploy/alertmanager/alertmanager.yml).
  // The rule's own labels are stripped from ALERTS so `or` sees the expression's label set.
  const heldWhileUnscraped = (a: Alert): string =>
    `(\n${indent(a.expr)}\n)\nor\n(\n` +
    `  max without (alertname, alertstate, severity, scope, symptom${a.kind ? ', kind' : ''}) (ALERTS{alertname="${a.alert}", alertstate="firing"})\n` +
    `  and on(${keys.host})\n  ${sel('up')} == 0\n)`;
  const add = (a: Alert): void => {
    // Names are annotations, read when the notification goes out: never labels.
    const names: Record<string, string> =
      a.scope === 'namespace'
        ? { project: t.name(t.namespaceNames, 'project'), router_name: t.name(t.namespaceNames, 'router_name') }
        : a.scope === 'router'
          ? { project: t.name(t.routerNames, 'project'), router_name: t.name(t.routerNames, 'router_name') }
          : {};
    const sentence = a.scope === 'namespace' ? t.sentence(t.namespaceNames) : a.scope === 'router' ? t.sentence(t.routerNames) : '';
    const dashboard = a.fleetWide
      ? dashboards.fleetWide
      : a.scope === 'router'
        ? dashboards.router
        : a.scope === 'namespace'
          ? dashboards.namespace
          : dashboards.fleet;
    rules.push({
      alert: a.alert,
      expr: a.scope === 'host' || a.scope === 'namespace' ? heldWhileUnscraped(a) : a.expr,
      for: a.for,
      labels: { severity: a.severity, scope: a.scope, symptom: a.symptom, ...(a.kind ? { kind: a.kind } : {}) },
      annotations: {
        summary: a.summary,
        description: a.description + sentence,
        ...names,
        runbook_url: runbook(a.alert),
        dashboard_url: dashboard,
      },
    });
  };

  const { interfaceErrors: errors, routerPortDrops: drops, conntrack, slowScrape, hostRollup } = config;
  // "At least minRouters namespaces on one host (and minShare of them)": one host alert for many.
  const rollup = (perNamespace: string[], kinds: string): string => {
    const affected = `count by (${keys.host}) (\n  group by (${keys.namespace}) (\n${indent(indent(perNamespace.join('\nor\n')))}\n  )\n)`;
    const share =
      hostRollup.minShare > 0
        ? `\nand on(${keys.host})\n${affected}\n>= ${hostRollup.minShare} * count by (${keys.host}) (${IDENTITY_RECORD}{kind=~"${kinds}"})`
        : '';
    return `${affected}\n>= ${hostRollup.minRouters}${share}`;
  };

  const errorExprs: string[] = [];
  for (const d of DIRECTIONS) {
    const packets = rate(sel(`netns_network_${d.metric}_packets_total`));
    const errs = rate(sel(`netns_network_${d.metric}_errs_total`));
    const ratio = `(\n  ${errs}\n/\n  ${packets}\n)`;
    const expr = withIdentity(
      `${ratio} > ${errors.ratio}\nand\n${packets} >= ${errors.idleBelowPacketsPerSecond}\n` +
        `or\n${ratio}\nand\n${errs} > ${errors.errorsPerSecondFloor}`,
    );
    errorExprs.push(expr);
    add({
      alert: `NetnsInterface${d.Name}ErrorRatioHigh`,
      expr,
      for: errors.ratioFor,
      severity: errors.severity,
      scope: 'namespace',
      symptom: 'errors',
      summary: `${d.Name} errors on {{ $labels.device }} in {{ $labels.netns }}`,
      description:
        `{{ $value | humanizePercentage }} of the packets ${d.verb} on ${WHERE} had errors over the last ${config.rateWindow} ` +
        `(threshold ${percent(errors.ratio)}, or more than ${errors.errorsPerSecondFloor} errors/s at any ratio, for ${errors.ratioFor}).`,
    });
  }
  for (const d of DIRECTIONS) {
    const expr = withIdentity(
      `${rate(sel(`netns_network_${d.metric}_errs_total`))} > ${errors.idleErrorsPerSecond}\n` +
        `and\n${rate(sel(`netns_network_${d.metric}_packets_total`))} < ${errors.idleBelowPacketsPerSecond}`,
    );
    errorExprs.push(expr);
    add({
      alert: `NetnsInterface${d.Name}ErrorsWhileIdle`,
      expr,
      for: errors.idleFor,
      severity: errors.severity,
      scope: 'namespace',
      symptom: 'errors',
      summary: `${d.Name} errors on idle-looking {{ $labels.device }} in {{ $labels.netns }}`,
      description:
        `${WHERE} counts {{ $value | humanize }} ${d.noun} errors per second while it ${d.verb} fewer than ` +
        `${errors.idleBelowPacketsPerSecond} packet${errors.idleBelowPacketsPerSecond === 1 ? '' : 's'} per second, for ${errors.idleFor}: a link or driver fault rather than load.`,
    });
  }
  const dropExprs: string[] = [];
  for (const d of DIRECTIONS) {
    const m = (name: string) =>
      sel(`netns_network_${d.metric}_${name}_total`, `netns=~"${drops.namespaces}"`, `device=~"${drops.devices}"`);
    const dropRate = rate(m('drop'));
    const expr = withIdentity(
      `(\n  ${dropRate}\n/\n  (${rate(m('packets'))} + ${dropRate})\n) > ${drops.ratio}\n` +
        `and\n${dropRate} > ${drops.dropsPerSecondFloor}`,
    );
    dropExprs.push(expr);
    add({
      alert: `NetnsRouterPort${d.Name}Drops`,
      expr,
      for: drops.for,
      severity: drops.severity,
      scope: 'namespace',
      symptom: 'drops',
      summary: `Router port {{ $labels.device }} in {{ $labels.netns }} drops ${d.verb} packets`,
      description:
        `${WHERE} dropped {{ $value | humanizePercentage }} of its ${d.verb} packets over the last ${config.rateWindow} ` +
        `(threshold ${percent(drops.ratio)} with more than ${drops.dropsPerSecondFloor} drops/s, for ${drops.for}).`,
    });
  }

  const conntrackUse = `${sel('netns_nf_conntrack_entries')}\n/\n(${sel('netns_nf_conntrack_entries_limit')} > 0)`;
  for (const [level, ratio] of [
    ['warning', conntrack.warningRatio],
    ['critical', conntrack.criticalRatio],
  ] as const) {
    add({
      alert: level === 'warning' ? 'NetnsConntrackTableFilling' : 'NetnsConntrackTableNearlyFull',
      expr: withIdentity(`${conntrackUse}\n> ${ratio}`),
      for: conntrack.for,
      severity: level,
      scope: 'namespace',
      symptom: 'conntrack',
      summary: `Conntrack table of {{ $labels.netns }} is ${level === 'warning' ? 'filling' : 'nearly full'}`,
      description:
        `Namespace {{ $labels.netns }} on {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its conntrack limit ` +
        `(threshold ${percent(ratio)} for ${conntrack.for}). When it is full the kernel drops new connections.`,
    });
  }
  add({
    alert: 'NetnsConntrackDrops',
    expr: withIdentity(
      // One rate per counter, told apart by a `stat` label: rate() drops the metric name, and three
      // series with one label set would be an error.
      `sum by (${keys.namespace}) (\n` +
        ['insert_failed', 'drop', 'early_drop']
          .map((stat) => `  label_replace(${rate(sel(`netns_nf_conntrack_stat_${stat}_total`))}, "stat", "${stat}", "", "")`)
          .join('\n  or\n') +
        `\n)\n> ${config.conntrackDrops.perSecond}`,
    ),
    for: config.conntrackDrops.for,
    severity: config.conntrackDrops.severity,
    scope: 'namespace',
    symptom: 'conntrack',
    summary: 'Conntrack in {{ $labels.netns }} drops connections',
    description:
      `Namespace {{ $labels.netns }} on {{ $labels.instance }} counts {{ $value | humanize }} conntrack insert failures, drops and early drops per second ` +
      `(threshold ${config.conntrackDrops.perSecond}/s for ${config.conntrackDrops.for}): packets of new connections are being dropped.`,
  });

  const flap = config.flapping;
  add({
    alert: 'NetnsInterfaceFlapping',
    expr: withIdentity(`increase(${sel('netns_network_carrier_changes_total')}[${flap.window}]) >= ${flap.changes}`),
    for: flap.for,
    severity: flap.severity,
    scope: 'namespace',
    symptom: 'flapping',
    summary: '{{ $labels.device }} in {{ $labels.netns }} is flapping',
    description:
      `${WHERE} changed carrier {{ $value | humanize }} times in ${flap.window} (threshold ${flap.changes}, for ${flap.for}): ` +
      'a link that goes up and down, or a port Neutron keeps re-plugging.',
  });

  // Neutron's service processes (netns_processes, counted from the exporter's walk of /proc). Each
  // alert asks for the processes collector's success in that namespace, so that a collector that is
  // off or failing (no CAP_SYS_PTRACE) is never read as "no process".
  const processesKnown = `${sel('netns_collector_success', 'collector="processes"')} == 1`;
  const processes = (name: string, ...matchers: string[]): string => sel('netns_processes', `name="${name}"`, ...matchers);
  const dhcp = config.dhcpServerMissing;
  add({
    alert: 'NetnsDhcpServerMissing',
    // the collector reports dnsmasq 0 in every qdhcp- namespace where none runs
    expr: withIdentity(`${processes('dnsmasq', 'netns=~"qdhcp-.*"')} == 0`),
    for: dhcp.for,
    severity: dhcp.severity,
    scope: 'namespace',
    symptom: 'service_down',
    summary: 'No dnsmasq in {{ $labels.netns }}',
    description:
      `DHCP namespace {{ $labels.netns }} on {{ $labels.instance }} runs {{ $value }} dnsmasq processes, for ${dhcp.for}: ` +
      "instances on this network get no DHCP answer from this agent (renewals and new boots fail once the network's other agents are gone too).",
  });
  const keep = config.keepalivedMissing;
  // HA: the L3 agent keeps a state file for the router on this host (netns_router_ha_state). The
  // collector's 0 needs neutron-keepalived-state-change still running; the `or` also sees both gone.
  const haRouter = `group by (${keys.namespace}) (${sel('netns_router_ha_state')})`;
  add({
    alert: 'NetnsRouterKeepalivedMissing',
    expr: withIdentity(
      `(\n  max by (${keys.namespace}) (${processes('keepalived')})\n  or on(${keys.namespace})\n  ${haRouter} * 0\n) == 0\n` +
        `and on(${keys.namespace})\n${haRouter}\nand on(${keys.namespace})\n${processesKnown}`,
    ),
    for: keep.for,
    severity: keep.severity,
    scope: 'namespace',
    symptom: 'service_down',
    summary: 'HA router {{ $labels.netns }} runs no keepalived',
    description:
      `HA router {{ $labels.netns }} on {{ $labels.instance }} has an L3 agent state file and runs {{ $value }} keepalived processes, for ${keep.for}: ` +
      'this host takes no part in VRRP for the router, so it can neither take over nor hand over the router when a host fails.',
  });
  const meta = config.metadataProxyMissing;
  const proxies = processes('haproxy', 'netns=~"qrouter-.*"');
  add({
    alert: 'NetnsRouterMetadataProxyMissing',
    // an HA router runs its metadata proxy only where it is primary: backups and faults are left out
    expr: withIdentity(
      `${proxies} == 0\n` +
        `unless on(${keys.namespace})\n  max by (${keys.namespace}) (${sel('netns_router_ha_state', 'state="primary"')}) == 0\n` +
        `and on(${keys.host})\n  count by (${keys.host}) (${proxies} > 0) >= ${meta.minRouters}`,
    ),
    for: meta.for,
    severity: meta.severity,
    scope: 'namespace',
    symptom: 'service_down',
    summary: 'Router {{ $labels.netns }} has no metadata proxy',
    description:
      `Router {{ $labels.netns }} on {{ $labels.instance }} runs {{ $value }} haproxy processes (the metadata proxy), for ${meta.for}, ` +
      `while at least ${meta.minRouters} other router${meta.minRouters === 1 ? '' : 's'} of this host run${meta.minRouters === 1 ? 's' : ''} one: ` +
      'instances behind it get no answer from 169.254.169.254, so cloud-init waits at boot.',
  });

  // The gateway's next hop does not answer: FAILED/INCOMPLETE entries on an up qg- port and nothing
  // on that port that answers. A qg- has one next hop, so one failed entry is the whole signal;
  // failed entries beside answering ones (a peer that went away) are not. HA backups are left out.
  const gw = config.gatewayUnreachable;
  const neighbours = (devices: string, states: string, ...matchers: string[]): string =>
    `sum by (${keys.namespace}, device) (${sel('netns_neighbor_entries', ...matchers, `device=~"${devices}"`, `state=~"${states}"`)})`;
  const gatewayUnreachable =
    withIdentity(
      `${neighbours(gw.devices, gw.failedStates, `netns=~"${gw.namespaces}"`)} > 0\n` +
        `unless on(${keys.namespace}, device)\n${neighbours(gw.devices, gw.answeringStates, `netns=~"${gw.namespaces}"`)} > 0\n` +
        `and on(${keys.namespace}, device)\n${sel('netns_network_info', `netns=~"${gw.namespaces}"`, `device=~"${gw.devices}"`, `operstate!~"${down}"`)}`,
    ) + `\nunless on(${keys.host}, id)\n(${notPrimary})`;
  add({
    alert: 'NetnsRouterGatewayUnreachable',
    expr: gatewayUnreachable,
    for: gw.for,
    severity: gw.severity,
    scope: 'namespace',
    symptom: 'gateway_unreachable',
    summary: 'Router {{ $labels.id }} cannot reach its gateway through {{ $labels.device }}',
    description:
      `Neighbour entries on gateway port ${WHERE} are ${gw.failedStates.replace('|', ' or ')} ({{ $value }}) and none answers, for ${gw.for}: ` +
      'ARP/ND gets no answer from the upstream gateway, so the router has no external connectivity.',
  });
  const neigh = config.neighborFailures;
  add({
    alert: 'NetnsNeighborFailures',
    expr: withIdentity(
      `${neighbours(neigh.devices, neigh.states)} >= ${neigh.entries}\n` +
        `unless on(${keys.namespace}, device)\n${neighbours(neigh.devices, gw.answeringStates)} > 0`,
    ),
    for: neigh.for,
    severity: neigh.severity,
    scope: 'namespace',
    symptom: 'neighbors',
    summary: 'No neighbour answers behind {{ $labels.device }} in {{ $labels.netns }}',
    description:
      `${WHERE} has {{ $value }} neighbour entries in state ${neigh.states.replace('|', ' or ')} (threshold ${neigh.entries}, for ${neigh.for}) and none that answers: ` +
      'nothing behind this port replies to ARP/ND (the tunnel or VLAN to the compute nodes, or every instance gone).',
  });

  const rollupFor = (symptom: string) =>
    `{{ $value }} namespaces on {{ $labels.instance }} show ${symptom} at once (threshold ${hostRollup.minRouters}` +
    `${hostRollup.minShare > 0 ? ` and ${percent(hostRollup.minShare)} of them` : ''}): one cause on this host, not ${hostRollup.minRouters} separate faults.`;
  add({
    alert: 'NetnsHostGatewayUnreachable',
    expr: rollup([gatewayUnreachable], 'qrouter|snat'),
    for: gw.for,
    severity: gw.severity,
    scope: 'host',
    symptom: 'gateway_unreachable',
    summary: 'Routers on {{ $labels.instance }} cannot reach their gateway',
    description: `${rollupFor('an unreachable gateway')} The host's uplink to the external network (provider bridge, bond, switch port) is the suspect; for ${gw.for}.`,
  });
  add({
    alert: 'NetnsHostRouterPortDrops',
    expr: rollup(dropExprs, 'qrouter|snat|fip'),
    for: drops.for,
    severity: drops.severity,
    scope: 'host',
    symptom: 'drops',
    summary: 'Router ports on {{ $labels.instance }} drop packets',
    description: `${rollupFor('router port drops')} A host short of CPU (softirq) or with a full backlog drops on every port; for ${drops.for}.`,
  });
  add({
    alert: 'NetnsHostInterfaceErrors',
    expr: rollup(errorExprs, 'qrouter|snat|fip|qdhcp'),
    for: errors.ratioFor,
    severity: errors.severity,
    scope: 'host',
    symptom: 'errors',
    summary: 'Interfaces in many namespaces on {{ $labels.instance }} count errors',
    description: `${rollupFor('interface errors')} Look at the host's NIC, driver and OVS; for ${errors.ratioFor}.`,
  });

  add({
    alert: 'NetnsCollectionFailing',
    expr: `count by (${keys.host}, collector) (\n  ${sel('netns_collector_success')} == 0\n)`,
    for: config.collectionFailing.for,
    severity: config.collectionFailing.severity,
    scope: 'host',
    symptom: 'collection',
    summary: 'Collector {{ $labels.collector }} fails on {{ $labels.instance }}',
    description:
      `The {{ $labels.collector }} collector has failed for {{ $value }} namespaces on {{ $labels.instance }} ` +
      `for ${config.collectionFailing.for}, so their metrics are missing. One alert per host and collector; the exporter log names each namespace and the reason.`,
  });
  const collapse = config.namespacesCollapsed;
  add({
    alert: 'NetnsRouterNamespacesCollapsed',
    expr: `${ROUTER_COUNT_RECORD}\n< ${collapse.ratio} * ${ROUTER_PEAK_RECORD}\nand on(${keys.host})\n${ROUTER_PEAK_RECORD} >= ${collapse.minimum}`,
    for: collapse.for,
    severity: collapse.severity,
    scope: 'host',
    symptom: 'namespaces',
    summary: 'Router namespaces on {{ $labels.instance }} collapsed',
    description:
      `{{ $labels.instance }} carries {{ $value }} router namespaces (${collapse.kinds}), fewer than ${percent(collapse.ratio)} of its peak ` +
      `(the most in ${collapse.lookback} before they went), for ${collapse.for}: routers were removed or the L3 agent lost them. ` +
      'It keeps firing until they come back: silence it during a planned evacuation.',
  });

  add({
    alert: 'NetnsExporterDown',
    expr: `${sel('up')} == 0`,
    for: config.exporterDown.for,
    severity: config.exporterDown.severity,
    scope: 'exporter',
    symptom: 'exporter_down',
    summary: 'netns-exporter on {{ $labels.instance }} is down',
    description:
      `Prometheus has failed to scrape netns-exporter on {{ $labels.instance }} for ${config.exporterDown.for} ` +
      '(up = {{ $value }}): no namespace metrics from this host, so its namespace and host alerts cannot fire. ' +
      `Router-wide alerts decide without it after ${config.routerPortDown.decideAfter}.`,
  });
  add({
    alert: 'NetnsExporterAbsent',
    expr: `absent(${sel('up')})`,
    for: config.exporterAbsent.for,
    severity: config.exporterAbsent.severity,
    scope: 'exporter',
    symptom: 'exporter_absent',
    fleetWide: true,
    summary: 'No netns-exporter target is discovered',
    description:
      `Prometheus has had no target for ${config.selector} for ${config.exporterAbsent.for} (absent = {{ $value }}): ` +
      'service discovery finds no exporter, so no namespace is monitored and no other netns alert can fire.',
  });
  add({
    alert: 'NetnsExporterScrapeSlow',
    expr:
      `${sel('scrape_duration_seconds')}\n/ on(${keys.host})\n  (\n` +
      `    ${sel('netns_scrape_timeout_seconds')}\n  or on(${keys.host})\n` +
      `    ${sel('scrape_timeout_seconds')}\n  or on(${keys.host})\n` +
      `    ${sel('scrape_duration_seconds')} * 0 + ${slowScrape.fallbackTimeoutSeconds}\n  )\n> ${slowScrape.ratioOfTimeout}`,
    for: slowScrape.for,
    severity: slowScrape.severity,
    scope: 'exporter',
    symptom: 'scrape_slow',
    summary: 'netns-exporter on {{ $labels.instance }} is close to its scrape timeout',
    description:
      'Scrapes of netns-exporter on {{ $labels.instance }} take {{ $value | humanizePercentage }} of the scrape timeout ' +
      `(threshold ${percent(slowScrape.ratioOfTimeout)} for ${slowScrape.for}). Past 100% every scrape fails and all metrics of this host go missing.`,
  });
  add({
    alert: 'NetnsSeriesDropped',
    expr: `${sel('netns_scrape_series_dropped')} > 0`,
    for: config.seriesDropped.for,
    severity: config.seriesDropped.severity,
    scope: 'exporter',
    symptom: 'series_dropped',
    summary: 'netns-exporter on {{ $labels.instance }} leaves namespaces out (--collector.max-series)',
    description:
      `netns-exporter on {{ $labels.instance }} dropped {{ $value }} series per scrape for ${config.seriesDropped.for} because it reached ` +
      '--collector.max-series: whole namespaces are missing and their alerts cannot fire.',
  });
  add({
    alert: 'NetnsLabelsFileReloadFailing',
    expr: `${sel('netns_labels_file_reload_success')} == 0`,
    for: config.labelsFile.for,
    severity: config.labelsFile.severity,
    scope: 'exporter',
    symptom: 'labels_file',
    summary: 'netns-exporter on {{ $labels.instance }} cannot reload its labels file',
    description:
      `The last reload of --netns.labels-file on {{ $labels.instance }} failed (success = {{ $value }}) for ${config.labelsFile.for}: ` +
      'the exporter keeps the last good mapping, so new routers show without names.',
  });

  // Per router, not per host: an HA router keeps its backup's ports down on purpose. A router is cut
  // off when no scraped host that may forward for it (an HA primary, or any host of a router without
  // HA state) has the port up: that covers a primary whose qg- is down and an HA router with no
  // primary on any scraped host (a failover that did not happen). A host that carried the router and
  // whose exporter was lost holds the alert back, but only for decideAfter: keepalived fails over in
  // seconds, so after that the hosts still scraped know.
  const portDown = (kind: 'gateway' | 'internal'): string => {
    const c = kind === 'gateway' ? config.gatewayDown : config.internalPortDown;
    const ports = (...operstate: string[]): string =>
      `${sel('netns_network_info', `netns=~"${c.namespaces}"`, `device=~"${c.devices}"`, ...operstate)}\n` +
      `* on(${keys.namespace}) group_left(kind, id)\n  ${IDENTITY_RECORD}`;
    const same = kind === 'gateway' ? keys.router : `${keys.router}, device`;
    const lookback = config.routerPortDown.exporterDownLookback;
    const lost =
      `max by (${keys.host}, id) (max_over_time(${sel('netns_info')}[${lookback}]))\n` +
      `* on(${keys.host}) group_left()\n` +
      `  (${sel('up')} == 0 and on(${keys.host}) max_over_time(${sel('up')}[${config.routerPortDown.decideAfter}]) == 1)`;
    return withRouterProject(
      `count by (${keys.router}, kind, device) (\n${indent(indent(ports()))}\n)\n` +
        `unless on(${same})\n(\n${indent(ports(`operstate!~"${down}"`))}\n  unless on(${keys.host}, id)\n  (${notPrimary})\n)\n` +
        `unless on(${keys.router})\n(\n${indent(lost)}\n)`,
    );
  };
  const portHosts = (devicesOf: 'gateway' | 'internal'): string => {
    const c = devicesOf === 'gateway' ? config.gatewayDown : config.internalPortDown;
    const query = t.query(
      `${sel('netns_network_info', `${keys.cluster}=%q`, `netns=~"${c.namespaces}"`, 'device=%q')} * on(${keys.namespace}) group_left() ${IDENTITY_RECORD}{id=%q}`,
      t.clusterValue,
      '$labels.device',
      '$labels.id',
    );
    return t.hosts(query, ' ({{ $s.Labels.operstate }})');
  };
  const haQuery = t.query(
    `max by (instance, state) (${sel('netns_router_ha_state', `${keys.cluster}=%q`, 'id=%q')} == 1)`,
    t.clusterValue,
    '$labels.id',
  );
  const lostQuery = t.query(
    `max by (instance) (max_over_time(${sel('netns_info', `${keys.cluster}=%q`, 'id=%q')}[${config.routerPortDown.exporterDownLookback}])) ` +
      `* on(instance) group_left() max by (instance) (${sel('up', `${keys.cluster}=%q`)} == 0)`,
    t.clusterValue,
    '$labels.id',
    t.clusterValue,
  );
  const whereRouter = (devicesOf: 'gateway' | 'internal'): string =>
    ` Port on: ${portHosts(devicesOf)}.` +
    `{{ with ${haQuery} }} keepalived: ${t.hosts(haQuery, ' {{ $s.Labels.state }}')}.{{ end }}` +
    `{{ with ${lostQuery} }} Not scraped (exporter down): ${t.hosts(lostQuery, '')}.{{ end }}`;
  add({
    alert: 'NetnsRouterGatewayDown',
    expr: portDown('gateway'),
    for: config.gatewayDown.for,
    severity: config.gatewayDown.severity,
    scope: 'router',
    symptom: 'gateway_down',
    summary: 'Gateway port {{ $labels.device }} of router {{ $labels.id }} is down',
    description:
      `Gateway port {{ $labels.device }} of router {{ $labels.id }} is down on every scraped host that may forward for the router (its HA primary; any host without HA state) ` +
      `for ${config.gatewayDown.for}, {{ $value }} host(s) checked: ` +
      `the router has no external connectivity.${whereRouter('gateway')}`,
  });
  add({
    alert: 'NetnsRouterInternalPortDown',
    expr: portDown('internal'),
    for: config.internalPortDown.for,
    severity: config.internalPortDown.severity,
    scope: 'router',
    symptom: 'port_down',
    summary: 'Internal port {{ $labels.device }} of router {{ $labels.id }} is down',
    description:
      `Tenant subnet port {{ $labels.device }} of router {{ $labels.id }} is down on every scraped host that may forward for the router (its HA primary; any host without HA state) ` +
      `for ${config.internalPortDown.for}, {{ $value }} host(s) checked: ` +
      `that subnet has lost its router.${whereRouter('internal')}`,
  });
  add({
    alert: 'NetnsRouterHASplitBrain',
    expr: withRouterProject(`count by (${keys.router}) (\n  ${sel('netns_router_ha_state', 'state="primary"')} == 1\n) > 1`),
    for: config.haSplitBrain.for,
    severity: config.haSplitBrain.severity,
    scope: 'router',
    symptom: 'split_brain',
    kind: 'qrouter',
    summary: 'HA router {{ $labels.id }} is primary on {{ $value }} hosts',
    description:
      `Router {{ $labels.id }} has been primary on {{ $value }} hosts at once for ${config.haSplitBrain.for} (${t.hosts(
        t.query(`${sel('netns_router_ha_state', `${keys.cluster}=%q`, 'id=%q', 'state="primary"')} == 1`, t.clusterValue, '$labels.id'),
        '',
      )}): ` + 'both answer for the same gateway and tenant addresses, and traffic flaps between them.',
  });
  // Per router, the host that saw the most changes: a failover changes the role on each host once,
  // so a sum over the hosts would count every failover twice. increase() copes with the counter
  // starting at 0 when the exporter starts or first sees the router, and with resets.
  const haFlap = config.haFlapping;
  const changesIn = (selector: string): string => `increase(${selector}[${haFlap.window}])`;
  const changesQuery = t.query(
    changesIn(sel('netns_router_ha_changes_total', `${keys.cluster}=%q`, 'id=%q')),
    t.clusterValue,
    '$labels.id',
  );
  const sinceQuery = t.query(
    `min(time() - ${sel('netns_router_ha_last_change_timestamp_seconds', `${keys.cluster}=%q`, 'id=%q')})`,
    t.clusterValue,
    '$labels.id',
  );
  add({
    alert: 'NetnsRouterHAFlapping',
    expr: withRouterProject(`max by (${keys.router}) (
  ${changesIn(sel('netns_router_ha_changes_total'))}
) >= ${haFlap.changes}`),
    for: haFlap.for,
    severity: haFlap.severity,
    scope: 'router',
    symptom: 'ha_flapping',
    kind: 'qrouter',
    summary: 'HA router {{ $labels.id }} keeps changing its primary',
    description:
      `Router {{ $labels.id }} changed its HA role {{ $value | humanize }} times in ${haFlap.window} on one host ` +
      `(threshold ${haFlap.changes}, for ${haFlap.for}): keepalived hands the router back and forth, and each change ` +
      `moves its gateway and tenant addresses. Changes per host: ${t.hosts(changesQuery, ' ({{ $s.Value | humanize }})')}.` +
      `{{ with ${haQuery} }} Now: ${t.hosts(haQuery, ' {{ $s.Labels.state }}')}.{{ end }}` +
      `{{ with ${sinceQuery} }} Last change {{ . | first | value | humanizeDuration }} ago.{{ end }}`,
  });
  return rules;
}
