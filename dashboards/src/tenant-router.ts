// Tenant router: one Neutron router on the hosts that carry it: its qrouter- and snat- namespaces,
// and in DVR fip- namespaces only the ports that serve this router.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { ALERT_THRESHOLDS, percent, type PanelThresholds } from './alert-thresholds.js';
import { dashboardFrame, numberPanels, UID } from './dashboard-frame.js';
import {
  conntrackThresholds,
  DATASOURCE,
  drawBelowAxis,
  gaugePanel,
  instantQuery,
  rangeQuery,
  sortByDesc,
  stateTimelinePanel,
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
  DOWN_OPERSTATES,
  GATEWAY_PORT,
  NAMES_RECORD,
  NAMESPACE_KEY,
  rate,
  ROUTER_KINDS,
  selector,
  top,
} from './promql.js';
import { clusterVariable, datasourceVariable, jobVariable, labelValuesVariable } from './variables.js';

/** The router's own namespaces: `qrouter-<id>` and `snat-<id>` share the router id. */
export const ROUTER_NAMESPACES = 'netns=~"qrouter-$router|snat-$router"';

/**
 * DVR: a host's `fip-` namespace serves every router on the host with floating IPs. Only its
 * `fpr-<first 11 characters of the router id>` port (the link to this router's `rfp-`) and the
 * shared `fg-` gateway port concern this router; `$router_prefix` holds those 11 characters.
 */
export const FIP_PORTS = ['netns=~"fip-.*"', 'device=~"fpr-$router_prefix.*|fg-.*"'] as const;

/**
 * Hosts shown side by side in the repeated panels: those where the router has its qg- gateway port
 * (the HA primary and backups, or DVR's snat- hosts), a few per router. Repeating over every host
 * would open two panels per compute node for a DVR router, hundreds on a large cloud.
 */
export const GATEWAY_HOST = 'instance=~"$gateway_host"';

/** What works on ML2/OVN, said on the dashboard and in the README. */
export const OVN_NOTE =
  'On ML2/OVN there are no qrouter-, snat- or fip- namespaces (OVN routes in Open vSwitch flows; only ovnmeta- metadata namespaces exist), so this dashboard stays empty; the fleet overview still shows the ovnmeta- namespaces and the exporters.';

/** A selector limited to the router's namespaces on the chosen hosts. */
function routerSelector(metric: string, ...matchers: string[]): string {
  return selector(metric, ROUTER_NAMESPACES, ...matchers);
}

/** Interface series of the router: its namespaces' interfaces plus its ports in fip- namespaces. */
function routerInterfaces(metric: string, ...matchers: string[]): string {
  return `(${routerSelector(metric, ...matchers)} or ${selector(metric, ...FIP_PORTS, ...matchers)})`;
}

/** Rate of an interface counter over the router's interfaces (fip ports included). */
function interfaceRate(metric: string, ...matchers: string[]): string {
  return `(${rate(routerSelector(metric, ...matchers))} or ${rate(selector(metric, ...FIP_PORTS, ...matchers))})`;
}

const INTERFACE_LEGEND = '{{device}} ({{netns}} on {{instance}})';
/** Rule panels name the rule the way `iptables -L --line-numbers` would, plus where it lives. */
const RULE_LEGEND = '{{table}}/{{chain}} #{{rule}} {{target}} {{comment}} ({{netns}}, {{family}}, {{backend}}, {{instance}})';
const POLICY_LEGEND = '{{table}}/{{chain}} policy {{policy}} ({{netns}}, {{family}}, {{backend}}, {{instance}})';

/** Shows a 0/1 success value as a coloured "failed"/"ok". */
const SUCCESS_MAPPING: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: { '0': { text: 'failed', color: 'red', index: 0 }, '1': { text: 'ok', color: 'green', index: 1 } },
  },
];

/** A process count: 0 (missing) in red, any other count as is. */
const PROCESSES_MAPPING: dashboard.ValueMapping[] = [
  { type: dashboard.MappingType.ValueToText, options: { '0': { text: 'none', color: 'red', index: 0 } } },
];

/** Receive above the axis, transmit below, for one pair of interface counters (`scale` e.g. bytes to bits). */
function interfacePanel(
  title: string,
  description: string,
  unit: string,
  receive: string,
  transmit: string,
  options: { readonly scale?: string; readonly matchers?: readonly string[]; readonly top?: number } = {},
): timeseries.PanelBuilder {
  const shaped = (expr: string): string => {
    const scaled = options.scale ? `${expr}${options.scale}` : expr;
    return options.top === undefined ? scaled : top(scaled, options.top);
  };
  const matchers = options.matchers ?? [];
  return drawBelowAxis(timeseriesPanel({ title, description }, unit), 'B')
    .withTarget(rangeQuery('A', shaped(interfaceRate(receive, ...matchers)), `${INTERFACE_LEGEND} rx`))
    .withTarget(rangeQuery('B', shaped(interfaceRate(transmit, ...matchers)), `${INTERFACE_LEGEND} tx`))
    .height(9)
    .span(12);
}

/** iptables rule hit rates for rules whose target matches `targets`. */
function ruleHitsPanel(title: string, description: string, targets: string): timeseries.PanelBuilder {
  return timeseriesPanel({ title, description }, 'pps')
    .min(0)
    .withTarget(rangeQuery('A', rate(routerSelector('netns_iptables_rule_packets_total', `target=~"${targets}"`)), RULE_LEGEND))
    .height(9)
    .span(12);
}

/** Per-namespace counters of one family drawn as rates, one query per counter. */
function countersPanel(title: string, description: string, counters: readonly [string, string][]): timeseries.PanelBuilder {
  const panel = timeseriesPanel({ title, description }, 'pps').min(0).height(9).span(12);
  counters.forEach(([metric, legend], i) => {
    panel.withTarget(rangeQuery(String.fromCharCode(65 + i), rate(routerSelector(metric)), `{{netns}} on {{instance}}: ${legend}`));
  });
  return panel;
}

/**
 * The router's role on each selected host, one row per host. keepalived's own state (primary, backup,
 * fault, unknown) wins wherever the exporter reads it. Elsewhere the role is inferred from the qg-
 * port: up is the primary; down is a backup only while another host has the port up, else the
 * router's gateway is down (a single-host router with its qg- down has no primary to back up).
 */
export function haRoleQuery(): string {
  const down = `operstate=~"${DOWN_OPERSTATES}"`;
  const qg = (operstate: string): string => `max by (${NAMESPACE_KEY}) (${routerSelector('netns_network_info', GATEWAY_PORT, operstate)})`;
  const qgUp = qg(`operstate!~"${DOWN_OPERSTATES}"`);
  const qgDown = qg(down);
  const upSomewhere = `max by (cluster, job) (${qgUp})`;
  const source = (expr: string, text: string): string => `label_replace(${expr}, "source", "${text}", "", "")`;
  const role = (expr: string, state: string, text: string): string => source(`label_replace(${expr}, "state", "${state}", "", "")`, text);
  return (
    source(`max by (${NAMESPACE_KEY}, state) (${routerSelector('netns_router_ha_state')} == 1)`, 'keepalived') +
    ` or on(cluster, job, instance) ${role(qgUp, 'primary', 'inferred: qg- port up')}` +
    ` or on(cluster, job, instance) ${role(`${qgDown} and on(cluster, job) ${upSomewhere}`, 'backup', 'inferred: qg- down here, up on another host')}` +
    ` or on(cluster, job, instance) ${role(`${qgDown} unless on(cluster, job) ${upSomewhere}`, 'down', 'inferred: qg- down on every host')}`
  );
}

/** keepalived's states in the role timeline, with their colours; a state's value is its position plus one. */
const HA_TIMELINE_STATES: readonly (readonly [string, string])[] = [
  ['primary', 'green'],
  ['backup', 'blue'],
  ['fault', 'red'],
  ['unknown', 'orange'],
];

/** The router's keepalived state on each host as one number (1 primary, 2 backup, 3 fault, 4 unknown), for a state timeline. */
export function haTimelineQuery(): string {
  const lanes = HA_TIMELINE_STATES.map(([state], i) => `(${routerSelector('netns_router_ha_state', `state="${state}"`)} == 1) * ${i + 1}`);
  return `max by (cluster, job, instance) (${lanes.join(' or ')})`;
}

/** Colours of the HA role column: keepalived's states and the inferred ones. */
const HA_ROLE_COLOURS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      primary: { color: 'green', index: 0 },
      backup: { color: 'blue', index: 1 },
      fault: { color: 'red', index: 2 },
      down: { color: 'red', index: 3 },
      unknown: { color: 'orange', index: 4 },
    },
  },
];

function routerRow(board: dashboard.DashboardBuilder, t: PanelThresholds): void {
  const down = `operstate=~"${DOWN_OPERSTATES}"`;
  board
    .withRow(new dashboard.RowBuilder('Router ${router:text}'))
    .withPanel(
      tablePanel(
        {
          title: 'Where this router lives',
          description: `Every namespace of this router on every host (several for HA and DVR routers), with the project and router name from openstack-exporter or the exporter's labels file. ${OVN_NOTE}`,
        },
        'short',
      )
        .withTarget(tableQuery('A', `${NAMES_RECORD}{cluster=~"$cluster", job=~"$job", id=~"$router", kind=~"${ROUTER_KINDS}"}`))
        .withTransformation(transform.columns({}, ['Value', 'router_id', 'cluster']))
        .height(7)
        .span(9),
    )
    .withPanel(
      tablePanel(
        {
          title: 'HA role per host',
          description:
            'The role of the router on each selected host. From keepalived (netns_router_ha_state, the L3 agent\'s ha_confs state file) when the exporter reads it: primary, backup, fault or unknown. Otherwise inferred from the qg- gateway port: up is the primary; down is a backup only while another selected host has it up, else "down" (no host passes the router\'s external traffic). Two primaries are a split brain. Without ha_confs (containerised Neutron: see docs/install.md) every role is inferred.',
        },
        'short',
      )
        .withTarget(tableQuery('A', haRoleQuery()))
        .withTransformation(transform.columns({}, ['Value', 'cluster']))
        .overrideByName('state', [
          { id: 'mappings', value: HA_ROLE_COLOURS },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .height(7)
        .span(7),
    )
    .withPanel(
      statPanel(
        {
          title: 'Interfaces down',
          description:
            'Interfaces of the router whose operstate is down or lowerlayerdown. OVS internal ports report "unknown" while working, so those are not counted; an HA backup keeps its ports down on purpose.',
        },
        'short',
      )
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(instantQuery('A', countOrZero(routerInterfaces('netns_network_info', down)), 'down'))
        .height(7)
        .span(2),
    )
    .withPanel(
      statPanel(
        {
          title: 'Collections failing',
          description:
            "Collectors that failed at the last scrape for this router's namespaces. When iptables fails, the rule panels are empty because nothing was read, not because there are no rules.",
        },
        'short',
      )
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(instantQuery('A', countOrZero(`${routerSelector('netns_collector_success')} == 0`), 'failing'))
        .height(7)
        .span(2),
    )
    .withPanel(
      statPanel(
        {
          title: 'Dropped by rules',
          description: 'Packets per second hitting iptables rules with a DROP or REJECT target, all tables and families together.',
        },
        'pps',
      )
        .thresholds(thresholds('green', [1, 'orange']))
        .withTarget(
          instantQuery(
            'A',
            `sum(${rate(routerSelector('netns_iptables_rule_packets_total', 'target=~"DROP|REJECT"'))}) or vector(0)`,
            'dropped',
          ),
        )
        .height(7)
        .span(2),
    )
    .withPanel(
      statPanel(
        {
          title: 'Conntrack use',
          description: `Largest share of the conntrack limit in use among the router's namespaces. Orange from ${percent(t.conntrackWarningRatio)}, red from ${percent(t.conntrackCriticalRatio)}: the alert thresholds.`,
        },
        'percentunit',
      )
        .thresholds(conntrackThresholds(t))
        .min(0)
        .max(1)
        .withTarget(instantQuery('A', `max(${conntrackUse(ROUTER_NAMESPACES)})`, 'use'))
        .height(7)
        .span(2),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'HA role over time',
        description:
          "keepalived's role of the router on each selected host over time (netns_router_ha_state, from the L3 agent's ha_confs state file): a failover shows as the colours of two hosts swapping, keepalived ping-pong as stripes. Empty where the exporter does not read ha_confs (containerised Neutron: see docs/install.md).",
      })
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: Object.fromEntries(
              HA_TIMELINE_STATES.map(([state, colour], i) => [String(i + 1), { text: state, color: colour, index: i }]),
            ),
          },
        ])
        .withTarget(rangeQuery('A', haTimelineQuery(), '{{instance}}'))
        .height(7)
        .span(14),
    )
    .withPanel(
      statPanel(
        {
          title: 'Last HA role change',
          description:
            "How long ago the router's HA role last changed on any selected host (netns_router_ha_last_change_timestamp_seconds: the state file's write that changed it, as the exporter saw it). Until the exporter has seen a change since it started, this is the file's last write, which an L3 agent restart also makes.",
        },
        's',
      )
        .withTarget(instantQuery('A', `time() - max(${routerSelector('netns_router_ha_last_change_timestamp_seconds')})`, 'ago'))
        .height(7)
        .span(5),
    )
    .withPanel(
      statPanel(
        {
          title: 'HA role changes in range',
          description: `Role changes of the router within the dashboard's time range on the selected host that saw the most (netns_router_ha_changes_total, counted by the exporter since it started; a failover changes every host once). Orange from ${t.haFlappingChanges}: NetnsRouterHAFlapping fires at ${t.haFlappingChanges} changes within ${t.haFlappingWindow}, so over a longer range orange is a hint and the alert is the judge.`,
        },
        'short',
      )
        .thresholds(thresholds('green', [1, 'blue'], [t.haFlappingChanges, 'orange']))
        .decimals(0)
        .withTarget(
          instantQuery('A', `max(round(increase(${routerSelector('netns_router_ha_changes_total')}[$__range]))) or vector(0)`, 'changes'),
        )
        .height(7)
        .span(5),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Collector health',
          description:
            'Each collector of each of the router\'s namespaces: ok or failed at the last scrape, and its worst state in the time range. A failed iptables collection must not read as "no rules"; the exporter log gives the reason.',
        },
        'short',
      )
        .withTarget(tableQuery('A', routerSelector('netns_collector_success')))
        .withTarget(tableQuery('B', `min_over_time(${routerSelector('netns_collector_success')}[$__range])`))
        .withTransformation(transform.merge())
        .withTransformation(transform.columns({ 'Value #A': 'now', 'Value #B': 'worst in range' }, ['cluster']))
        .overrideByName('now', [
          { id: 'mappings', value: SUCCESS_MAPPING },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .overrideByName('worst in range', [
          { id: 'mappings', value: SUCCESS_MAPPING },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .height(7)
        .span(24),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Service processes',
          description:
            "Neutron's processes in each of the router's namespaces (netns_processes, counted by the exporter from /proc): now, and the fewest in the time range. haproxy is the metadata proxy (an HA router runs it only where it is primary), keepalived and neutron-keepalived-state-change are HA's, radvd sends IPv6 router advertisements. A 0 in red is a service that is missing; the alerts NetnsRouterKeepalivedMissing and NetnsRouterMetadataProxyMissing watch it.",
        },
        'short',
      )
        .withTarget(tableQuery('A', routerSelector('netns_processes')))
        .withTarget(tableQuery('B', `min_over_time(${routerSelector('netns_processes')}[$__range])`))
        .withTransformation(transform.merge())
        .withTransformation(transform.columns({ 'Value #A': 'now', 'Value #B': 'fewest in range' }, ['cluster']))
        .overrideByName('now', [
          { id: 'mappings', value: PROCESSES_MAPPING },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .overrideByName('fewest in range', [
          { id: 'mappings', value: PROCESSES_MAPPING },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .height(7)
        .span(10),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Service processes over time',
          description:
            'The same counts over time, per host: a drop to 0 and back is a service the agent respawned; keepalived and haproxy coming and going together on one host is a failover.',
        },
        'short',
      )
        .withTarget(rangeQuery('A', routerSelector('netns_processes'), '{{name}} ({{netns}} on {{instance}})'))
        .min(0)
        .height(7)
        .span(14),
    );
}

function interfacesRow(board: dashboard.DashboardBuilder): void {
  const sideBySide = { matchers: [GATEWAY_HOST] } as const;
  board
    .withRow(new dashboard.RowBuilder('Interfaces'))
    .withPanel(
      interfacePanel(
        'Busiest interfaces on all hosts',
        'Bits per second on the 20 busiest interfaces of this router in each direction, over every selected host (a DVR router has one qrouter- per compute node). Receive above the axis, transmit below. The panels below compare the gateway hosts side by side.',
        'bps',
        'netns_network_receive_bytes_total',
        'netns_network_transmit_bytes_total',
        { scale: ' * 8', top: 20 },
      ).span(24),
    )
    .withPanel(
      interfacePanel(
        'Throughput on $gateway_host',
        'Bits per second on each interface of one gateway host: qr- (tenant subnets), qg- (gateway), sg- (SNAT), rfp-, and in fip- namespaces this router\'s fpr- and the fg- gateway. Receive above the axis, transmit below. One panel per host in "Gateway hosts" (where the router has a qg- port: HA primary and backups, DVR snat- hosts), side by side; empty for a router without an external gateway.',
        'bps',
        'netns_network_receive_bytes_total',
        'netns_network_transmit_bytes_total',
        { ...sideBySide, scale: ' * 8' },
      )
        .repeat('gateway_host')
        .repeatDirection('h')
        .maxPerRow(2),
    )
    .withPanel(
      interfacePanel(
        'Packets on $gateway_host',
        'Packets per second on each interface of one gateway host. Receive above the axis, transmit below. One panel per host in "Gateway hosts", side by side.',
        'pps',
        'netns_network_receive_packets_total',
        'netns_network_transmit_packets_total',
        sideBySide,
      )
        .repeat('gateway_host')
        .repeatDirection('h')
        .maxPerRow(2),
    )
    .withPanel(
      interfacePanel(
        'Errors',
        'Packets per second with errors on each interface (receive: CRC, frame, FIFO, length; transmit: carrier, FIFO, aborted). Receive above the axis, transmit below. "Error breakdown" splits them by kind.',
        'pps',
        'netns_network_receive_errs_total',
        'netns_network_transmit_errs_total',
      ),
    )
    .withPanel(
      interfacePanel(
        'Drops',
        'Packets per second the kernel dropped on each interface (no buffer, full queue, unknown protocol). Receive above the axis, transmit below.',
        'pps',
        'netns_network_receive_drop_total',
        'netns_network_transmit_drop_total',
      ),
    )
    .withPanel(
      drawBelowAxis(
        timeseriesPanel(
          {
            title: 'Error breakdown',
            description:
              'Errors by kind: receive FIFO overruns (the host did not keep up) and frame errors (bad alignment, usually a physical fault); transmit carrier (peer down), FIFO and collisions. Receive above the axis, transmit below.',
          },
          'pps',
        ),
        'C',
        'D',
        'E',
      )
        .withTarget(rangeQuery('A', interfaceRate('netns_network_receive_fifo_total'), `${INTERFACE_LEGEND} rx fifo`))
        .withTarget(rangeQuery('B', interfaceRate('netns_network_receive_frame_total'), `${INTERFACE_LEGEND} rx frame`))
        .withTarget(rangeQuery('C', interfaceRate('netns_network_transmit_carrier_total'), `${INTERFACE_LEGEND} tx carrier`))
        .withTarget(rangeQuery('D', interfaceRate('netns_network_transmit_fifo_total'), `${INTERFACE_LEGEND} tx fifo`))
        .withTarget(rangeQuery('E', interfaceRate('netns_network_transmit_colls_total'), `${INTERFACE_LEGEND} tx collisions`))
        .height(9)
        .span(12),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Carrier changes',
          description:
            'Carrier changes per interface in each interval (netns_network_carrier_changes_total). A port going up and down repeatedly is flapping: keepalived or the L3 agent re-plugging it, or a broken link.',
        },
        'short',
      )
        .min(0)
        .withTarget(
          rangeQuery(
            'A',
            `increase(${routerSelector('netns_network_carrier_changes_total')}[$__rate_interval]) or increase(${selector('netns_network_carrier_changes_total', ...FIP_PORTS)}[$__rate_interval])`,
            INTERFACE_LEGEND,
          ),
        )
        .height(9)
        .span(12),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Interface state',
          description:
            'Operstate, MAC address and MTU (bytes) of each interface now. "unknown" is normal for OVS internal ports (qr-, qg-); "down" or "lowerlayerdown" is not (except on an HA backup).',
        },
        // "none": an MTU reads as 1500, not as 1.46 KiB.
        'none',
      )
        .withTarget(
          tableQuery(
            'A',
            `${routerInterfaces('netns_network_mtu_bytes')} * on(${NAMESPACE_KEY}, device) group_left(address, operstate) ${routerInterfaces('netns_network_info')}`,
          ),
        )
        .withTransformation(transform.columns({ Value: 'MTU' }, ['cluster']))
        .overrideByName('operstate', [
          {
            id: 'mappings',
            value: [
              { type: dashboard.MappingType.RegexToText, options: { pattern: '(?i)up', result: { color: 'green', index: 0 } } },
              {
                type: dashboard.MappingType.RegexToText,
                options: { pattern: '(?i)down|lowerlayerdown|notpresent', result: { color: 'red', index: 1 } },
              },
              { type: dashboard.MappingType.RegexToText, options: { pattern: '.*', result: { color: 'blue', index: 2 } } },
            ],
          },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ])
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('device').desc(false)])
        .height(8)
        .span(14),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'Link state history',
        description:
          'Operstate of each interface over time: up, unknown/dormant (normal for OVS internal ports), or down/lowerlayerdown. Gaps mean the interface did not exist.',
      })
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: {
              '0': { text: 'down', color: 'red', index: 0 },
              '1': { text: 'unknown', color: 'blue', index: 1 },
              '2': { text: 'up', color: 'green', index: 2 },
            },
          },
        ])
        .withTarget(
          rangeQuery(
            'A',
            // One value per interface: 2 up, 1 neither up nor down, 0 down. `or` keeps the first
            // branch an interface matches (its operstate label is the same in each branch).
            `max by (instance, netns, device) (` +
              `${routerInterfaces('netns_network_info', 'operstate=~"(?i)up"')} * 2` +
              ` or ${routerInterfaces('netns_network_info', `operstate!~"${DOWN_OPERSTATES}"`)}` +
              ` or ${routerInterfaces('netns_network_info')} * 0)`,
            INTERFACE_LEGEND,
          ),
        )
        .height(8)
        .span(10),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Neighbours by state',
          description:
            'ARP/NDP neighbour entries per interface and state. "failed" and "incomplete" are neighbours that do not answer: the upstream gateway behind qg-, instances behind qr-.',
        },
        'short',
      )
        .min(0)
        .withTarget(
          rangeQuery(
            'A',
            `sum by (instance, netns, device, family, state) (${routerInterfaces('netns_neighbor_entries')})`,
            '{{device}} {{family}} {{state}} ({{netns}} on {{instance}})',
          ),
        )
        .height(9)
        .span(24),
    );
}

function forwardingRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Forwarding and conntrack drops'))
    .withPanel(
      countersPanel(
        'Forwarding discards',
        "IP-level reasons packets die inside the router's namespaces, per second (netstat counters): discarded on input or output (no buffer), no route, bad headers or addresses, ICMP destination unreachable sent, UDP receive errors.",
        [
          ['netns_netstat_Ip_InDiscards', 'Ip InDiscards'],
          ['netns_netstat_Ip_OutDiscards', 'Ip OutDiscards'],
          ['netns_netstat_Ip_OutNoRoutes', 'Ip OutNoRoutes'],
          ['netns_netstat_Ip_InHdrErrors', 'Ip InHdrErrors'],
          ['netns_netstat_Ip_InAddrErrors', 'Ip InAddrErrors'],
          ['netns_netstat_Icmp_OutDestUnreachs', 'Icmp OutDestUnreachs'],
          ['netns_netstat_Udp_InErrors', 'Udp InErrors'],
        ],
      ),
    )
    .withPanel(
      countersPanel(
        'Forwarded packets',
        'Packets per second the router forwarded (Ip ForwDatagrams), and TCP segments its own sockets retransmitted (metadata proxy, keepalived peers).',
        [
          ['netns_netstat_Ip_ForwDatagrams', 'forwarded'],
          ['netns_netstat_Tcp_RetransSegs', 'TCP retransmits'],
        ],
      ),
    )
    .withPanel(
      countersPanel(
        'Conntrack drops',
        'Conntrack events per second that lose packets: insert failures (races, full table), drops and early drops (table full), invalid packets (no matching connection).',
        [
          ['netns_nf_conntrack_stat_insert_failed_total', 'insert failed'],
          ['netns_nf_conntrack_stat_drop_total', 'drop'],
          ['netns_nf_conntrack_stat_early_drop_total', 'early drop'],
          ['netns_nf_conntrack_stat_invalid_total', 'invalid'],
        ],
      ).span(24),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'QoS drops (tc)',
          description:
            'Neutron QoS at work, per second (the tc collector, --collector.tc): packets the qdiscs on the router ports dropped and times they were over their limit (a tbf or htb bandwidth limit on qg-), and the drops and overlimits of ingress filter actions (police: an ingress bandwidth limit). "My floating IP is slow" with these rising is the limit, not the network. Empty where the collector is off or no port has a qdisc.',
        },
        'pps',
      )
        .min(0)
        .withTarget(
          rangeQuery(
            'A',
            rate(routerSelector('netns_qdisc_drops_total')),
            '{{device}} {{kind}} {{handle}} drops ({{netns}} on {{instance}})',
          ),
        )
        .withTarget(
          rangeQuery(
            'B',
            rate(routerSelector('netns_qdisc_overlimits_total')),
            '{{device}} {{kind}} {{handle}} overlimits ({{netns}} on {{instance}})',
          ),
        )
        .withTarget(
          rangeQuery(
            'C',
            rate(routerSelector('netns_tc_action_drops_total')),
            '{{device}} ingress {{action}} pref {{pref}} drops ({{netns}} on {{instance}})',
          ),
        )
        .withTarget(
          rangeQuery(
            'D',
            rate(routerSelector('netns_tc_action_overlimits_total')),
            '{{device}} ingress {{action}} pref {{pref}} overlimits ({{netns}} on {{instance}})',
          ),
        )
        .height(9)
        .span(24),
    );
}

function iptablesRow(board: dashboard.DashboardBuilder): void {
  // A rule whose target is a chain of the same table is a jump: its counter repeats the rules it leads to.
  const jumps = `label_replace(${routerSelector('netns_iptables_chain_rules')}, "target", "$1", "chain", "(.+)")`;
  board
    .withRow(new dashboard.RowBuilder('iptables'))
    .withPanel(
      timeseriesPanel(
        {
          title: 'Busiest rules',
          description:
            'The 10 iptables/ip6tables rules with the highest hit rate in packets per second, across all tables, chains, families and backends, leaving out jumps to other chains (whose counts repeat the rules they lead to). Legend: table/chain, rule position, target and comment.',
        },
        'pps',
      )
        .min(0)
        .withTarget(
          rangeQuery(
            'A',
            top(
              `${rate(routerSelector('netns_iptables_rule_packets_total'))} unless on(${NAMESPACE_KEY}, backend, family, table, target) ${jumps}`,
            ),
            RULE_LEGEND,
          ),
        )
        .height(10)
        .span(20),
    )
    .withPanel(
      statPanel(
        {
          title: 'iptables collection',
          description:
            'Whether the iptables collector read the router\'s namespaces at the last scrape. "failed" means the rule panels are empty for lack of data, not for lack of rules.',
        },
        'none',
      )
        .mappings(SUCCESS_MAPPING)
        .thresholds(thresholds('red', [1, 'green']))
        .withTarget(instantQuery('A', `min(${routerSelector('netns_collector_success', 'collector="iptables"')})`, 'iptables'))
        .height(10)
        .span(4),
    )
    .withPanel(
      ruleHitsPanel(
        'DROP and REJECT hits',
        'Packets per second dropped or rejected by each DROP/REJECT rule. Policy drops of built-in chains are in "Built-in chain policy hits".',
        'DROP|REJECT',
      ),
    )
    .withPanel(
      ruleHitsPanel(
        'SNAT and DNAT hits',
        'Hits per second on SNAT, DNAT and MASQUERADE rules (gateway SNAT, floating IPs). The nat table only sees the first packet of each connection, so this is new NATed connections per second.',
        'SNAT|DNAT|MASQUERADE',
      ),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: 'Built-in chain policy hits',
          description:
            'Packets per second that reached the end of a built-in chain (INPUT, FORWARD, OUTPUT, PREROUTING, POSTROUTING) and took its policy.',
        },
        'pps',
      )
        .min(0)
        .withTarget(rangeQuery('A', rate(routerSelector('netns_iptables_chain_policy_packets_total')), POLICY_LEGEND))
        .height(9)
        .span(12),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Rules per chain',
          description:
            'Number of rules in each chain now, largest first. Neutron rewrites chains on every router update (see the rule-set annotations).',
        },
        'short',
      )
        .withTarget(tableQuery('A', `sort_desc(${routerSelector('netns_iptables_chain_rules')})`))
        .withTransformation(transform.columns({ Value: 'rules' }, ['cluster']))
        .sortBy(sortByDesc('rules'))
        .height(9)
        .span(12),
    );
}

function conntrackRow(board: dashboard.DashboardBuilder, t: PanelThresholds): void {
  board
    .withRow(new dashboard.RowBuilder('Conntrack'))
    .withPanel(
      timeseriesPanel(
        {
          title: 'Conntrack entries against limit',
          description:
            "Tracked connections in each of the router's namespaces (solid) and the limit, nf_conntrack_max (dashed). New connections are dropped once entries reach the limit.",
        },
        'short',
      )
        .min(0)
        .withTarget(rangeQuery('A', routerSelector('netns_nf_conntrack_entries'), '{{netns}} on {{instance}} entries'))
        .withTarget(rangeQuery('B', routerSelector('netns_nf_conntrack_entries_limit'), '{{netns}} on {{instance}} limit'))
        .overrideByQuery('B', [
          { id: 'custom.lineStyle', value: new common.LineStyleBuilder().fill('dash').dash([10, 10]).build() },
          { id: 'custom.fillOpacity', value: 0 },
        ])
        .height(8)
        .span(16),
    )
    .withPanel(
      gaugePanel(
        {
          title: 'Conntrack use per namespace',
          description: `Share of the conntrack limit in use per namespace. Orange from ${percent(t.conntrackWarningRatio)} (warning alert), red from ${percent(t.conntrackCriticalRatio)} (critical alert).`,
        },
        'percentunit',
      )
        .min(0)
        .max(1)
        .thresholds(conntrackThresholds(t))
        .withTarget(instantQuery('A', conntrackUse(ROUTER_NAMESPACES), '{{netns}} on {{instance}}'))
        .height(8)
        .span(8),
    );
}

/**
 * Prometheus annotation queries of the dashboard: rule-set changes of this router and its firing
 * alerts. The SDK's annotation type lacks the Prometheus fields (titleFormat, tagKeys...), so plain objects.
 */
export const ROUTER_ANNOTATIONS = [
  {
    name: 'Rule-set changes',
    expr: `sum by (instance, netns) (changes(${routerSelector('netns_iptables_chain_rules')}[$__rate_interval])) > 0`,
    iconColor: 'purple',
    titleFormat: 'iptables rule set changed',
    textFormat: '{{netns}} on {{instance}}',
    tagKeys: 'instance,netns',
  },
  {
    name: 'Firing alerts',
    expr: 'ALERTS{alertstate="firing", cluster=~"$cluster", id=~"$router"}',
    iconColor: 'red',
    titleFormat: '{{alertname}}',
    // Router-wide alerts carry no instance or netns (they span hosts); the symptom says what broke.
    textFormat: '{{symptom}} {{device}} {{netns}} {{instance}}',
    tagKeys: 'alertname,severity',
  },
] as const;

/** Builds the tenant router dashboard; `t` are the alert thresholds its panels colour by. */
export function buildTenantRouterDashboard(t: PanelThresholds = ALERT_THRESHOLDS): dashboard.Dashboard {
  const routers = `${NAMES_RECORD}{cluster=~"$cluster", job=~"$job", kind=~"${ROUTER_KINDS}"`;
  // "project / router name / id" as the text, the id as the value: names repeat across projects
  // ("router1" everywhere), ids do not. A missing name or project shows as "-".
  const labelled =
    `label_join(label_replace(label_replace(${routers}, project=~"$project"}, "project", "-", "project", ""), ` +
    `"router_name", "-", "router_name", ""), "router_label", " / ", "project", "router_name", "id")`;
  const board = dashboardFrame(
    UID.tenantRouter,
    'Network namespaces / Tenant router',
    `One Neutron router on the hosts that carry it: its qrouter- and snat- namespaces, and in DVR fip- namespaces its own ports. HA role, service processes, interfaces, forwarding discards, iptables rules and conntrack. ${OVN_NOTE}`,
  )
    .withVariable(datasourceVariable())
    .withVariable(clusterVariable())
    .withVariable(jobVariable())
    .withVariable(
      labelValuesVariable(
        'project',
        'Project',
        'Narrows the router list to one project (from openstack-exporter or the labels file); "All" also lists routers without one.',
        `label_values(${routers}}, project)`,
        { includeAll: true },
      ),
    )
    .withVariable(
      labelValuesVariable(
        'router',
        'Router',
        'Router by project / name / id; the value is the id (the UUID in qrouter-<id> and snat-<id>).',
        `query_result(max by (id, router_label) (${labelled}))`,
      ).regex('/id="(?<value>[^"]+)".*router_label="(?<text>[^"]+)"/'),
    )
    .withVariable(
      labelValuesVariable(
        'router_prefix',
        'Router id prefix',
        'The first 11 characters of the router id, which name its fpr- port in DVR fip- namespaces.',
        `query_result(max by (id) (${NAMES_RECORD}{cluster=~"$cluster", job=~"$job", id=~"$router"}))`,
      )
        .regex('/id="(?<value>[^"]{1,11})/')
        .hide(dashboard.VariableHide.HideVariable),
    )
    .withVariable(
      labelValuesVariable(
        'instance',
        'Host',
        'Hosts carrying the router (HA and DVR routers live on several); "All" includes every one in the panels.',
        `label_values(${routers}, id=~"$router"}, instance)`,
        { multi: true, includeAll: true },
      ).current({ text: 'All', value: '$__all' }),
    )
    .withVariable(
      labelValuesVariable(
        'gateway_host',
        'Gateway hosts',
        'Hosts where the router has its qg- gateway port (HA primary and backups, DVR snat- hosts), among the chosen hosts: the throughput and packet panels repeat once per host chosen here. Only these few by default, so a DVR router on hundreds of compute nodes does not open hundreds of panels.',
        `label_values(${selector('netns_network_info', ROUTER_NAMESPACES, GATEWAY_PORT)}, instance)`,
        { multi: true, includeAll: true },
      ).current({ text: 'All', value: '$__all' }),
    );
  routerRow(board, t);
  interfacesRow(board);
  forwardingRow(board);
  iptablesRow(board);
  conntrackRow(board, t);
  const built = numberPanels(board.build());
  const list = (built.annotations ??= { list: [] }).list ?? (built.annotations.list = []);
  for (const a of ROUTER_ANNOTATIONS) {
    list.push({
      datasource: DATASOURCE,
      enable: true,
      hide: false,
      step: '60s',
      useValueForTime: false,
      ...a,
    } as unknown as dashboard.AnnotationQuery);
  }
  return built;
}
