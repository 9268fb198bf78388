// Tenant router: one Neutron router on one host, its qrouter-, snat- and the host's fip- namespaces.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { dashboardFrame, numberPanels, UID } from './dashboard-frame.js';
import {
  CONNTRACK_THRESHOLDS,
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
import { conntrackUse, countOrZero, DOWN_OPERSTATES, rate, ROUTER_KINDS, selector, top } from './promql.js';
import { datasourceVariable, jobVariable, labelValuesVariable } from './variables.js';

/**
 * The namespaces of the chosen router: `qrouter-<id>` and `snat-<id>` share the router id; `fip-`
 * namespaces are per external network, so every one on the host is shown.
 */
const ROUTER_NAMESPACES = 'netns=~"qrouter-$router|snat-$router|fip-.*"';

/** A selector limited to the router's namespaces on the chosen host. */
function routerSelector(metric: string, ...matchers: string[]): string {
  return selector(metric, ROUTER_NAMESPACES, ...matchers);
}

const INTERFACE_LEGEND = '{{device}} ({{netns}})';
/** Rule panels name the rule the way `iptables -L --line-numbers` would, plus where it lives. */
const RULE_LEGEND = '{{table}}/{{chain}} #{{rule}} {{target}} {{comment}} ({{netns}}, {{family}}, {{backend}})';
const POLICY_LEGEND = '{{table}}/{{chain}} policy {{policy}} ({{netns}}, {{family}}, {{backend}})';

/** Receive above the axis, transmit below, for one pair of interface counters (`scale` e.g. bytes to bits). */
function interfacePanel(
  title: string,
  description: string,
  unit: string,
  receive: string,
  transmit: string,
  scale = '',
): timeseries.PanelBuilder {
  return drawBelowAxis(timeseriesPanel({ title, description }, unit), 'B')
    .withTarget(rangeQuery('A', `${rate(routerSelector(receive))}${scale}`, `${INTERFACE_LEGEND} rx`))
    .withTarget(rangeQuery('B', `${rate(routerSelector(transmit))}${scale}`, `${INTERFACE_LEGEND} tx`))
    .height(9)
    .span(12);
}

/** iptables rule hit rates for rules whose target matches `targets`. */
function ruleHitsPanel(title: string, description: string, targets: string): timeseries.PanelBuilder {
  return timeseriesPanel({ title, description }, 'pps')
    .min(0)
    .withTarget(
      rangeQuery('A', rate(routerSelector('netns_iptables_rule_packets_total', `target=~"${targets}"`)), RULE_LEGEND),
    )
    .height(9)
    .span(12);
}

function routerRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Router $router'))
    .withPanel(
      tablePanel(
        {
          title: 'Where this router lives',
          description:
            'Every namespace of this router on every host (several for HA and DVR routers), with the project and router name from the exporter\'s labels file when one is configured.',
        },
        'short',
      )
        .withTarget(tableQuery('A', `netns_info{job=~"$job", id=~"$router", kind=~"${ROUTER_KINDS}"}`))
        .withTransformation(transform.columns({}, ['Value']))
        .height(7)
        .span(12),
    )
    .withPanel(
      statPanel(
        { title: 'Interfaces', description: 'Interfaces in the router\'s namespaces on this host (fip namespaces included).' },
        'short',
      )
        .thresholds(thresholds('blue'))
        .withTarget(instantQuery('A', countOrZero(routerSelector('netns_network_info')), 'interfaces'))
        .height(7)
        .span(3),
    )
    .withPanel(
      statPanel(
        {
          title: 'Interfaces down',
          description:
            'Interfaces whose operstate is down or lowerlayerdown. OVS internal ports report "unknown" while working, so those are not counted.',
        },
        'short',
      )
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(
          instantQuery('A', countOrZero(routerSelector('netns_network_info', `operstate=~"${DOWN_OPERSTATES}"`)), 'down'),
        )
        .height(7)
        .span(3),
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
          instantQuery('A', `sum(${rate(routerSelector('netns_iptables_rule_packets_total', 'target=~"DROP|REJECT"'))}) or vector(0)`, 'dropped'),
        )
        .height(7)
        .span(3),
    )
    .withPanel(
      statPanel(
        {
          title: 'Conntrack use',
          description: 'Largest share of the conntrack limit in use among the router\'s namespaces. Orange from 75 %, red from 90 %.',
        },
        'percentunit',
      )
        .thresholds(CONNTRACK_THRESHOLDS())
        .min(0)
        .max(1)
        .withTarget(instantQuery('A', `max(${conntrackUse(ROUTER_NAMESPACES)})`, 'use'))
        .height(7)
        .span(3),
    );
}

function interfacesRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Interfaces'))
    .withPanel(
      interfacePanel(
        'Throughput',
        'Bits per second on each interface: qr- (tenant subnets), qg- (gateway), sg- (SNAT), fg-/fpr-/rfp- (floating IPs). Receive above the axis, transmit below.',
        'bps',
        'netns_network_receive_bytes_total',
        'netns_network_transmit_bytes_total',
        ' * 8',
      ),
    )
    .withPanel(
      interfacePanel(
        'Packets',
        'Packets per second on each interface. Receive above the axis, transmit below.',
        'pps',
        'netns_network_receive_packets_total',
        'netns_network_transmit_packets_total',
      ),
    )
    .withPanel(
      interfacePanel(
        'Errors',
        'Packets per second with errors on each interface (receive: CRC, frame, FIFO, length; transmit: carrier, FIFO, aborted). Receive above the axis, transmit below.',
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
      tablePanel(
        {
          title: 'Interface state',
          description:
            'Operstate, MAC address and MTU (bytes) of each interface now. "unknown" is normal for OVS internal ports (qr-, qg-); "down" or "lowerlayerdown" is not.',
        },
        // "none": an MTU reads as 1500, not as 1.46 KiB.
        'none',
      )
        .withTarget(
          tableQuery(
            'A',
            `${routerSelector('netns_network_mtu_bytes')} * on(job, instance, netns, device) group_left(address, operstate) ${routerSelector('netns_network_info')}`,
          ),
        )
        .withTransformation(transform.columns({ Value: 'MTU' }, ['instance']))
        .overrideByName('operstate', [
          {
            id: 'mappings',
            value: [
              { type: dashboard.MappingType.RegexToText, options: { pattern: '(?i)up', result: { color: 'green', index: 0 } } },
              { type: dashboard.MappingType.RegexToText, options: { pattern: '(?i)down|lowerlayerdown|notpresent', result: { color: 'red', index: 1 } } },
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
            `max by (netns, device) (` +
              `${routerSelector('netns_network_info', 'operstate=~"(?i)up"')} * 2` +
              ` or ${routerSelector('netns_network_info', `operstate!~"${DOWN_OPERSTATES}"`)}` +
              ` or ${routerSelector('netns_network_info')} * 0)`,
            INTERFACE_LEGEND,
          ),
        )
        .height(8)
        .span(10),
    );
}

function iptablesRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('iptables'))
    .withPanel(
      timeseriesPanel(
        {
          title: 'Busiest rules',
          description:
            'The 10 iptables/ip6tables rules with the highest hit rate in packets per second, across all tables, chains, families and backends. Legend: table/chain, rule position, target and comment.',
        },
        'pps',
      )
        .min(0)
        .withTarget(rangeQuery('A', top(rate(routerSelector('netns_iptables_rule_packets_total'))), RULE_LEGEND))
        .height(10)
        .span(24),
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
          description: 'Number of rules in each chain now, largest first. Neutron rewrites chains on every router update.',
        },
        'short',
      )
        .withTarget(tableQuery('A', `sort_desc(${routerSelector('netns_iptables_chain_rules')})`))
        .withTransformation(transform.columns({ Value: 'rules' }, ['instance']))
        .sortBy(sortByDesc('rules'))
        .height(9)
        .span(12),
    );
}

function conntrackRow(board: dashboard.DashboardBuilder): void {
  board
    .withRow(new dashboard.RowBuilder('Conntrack'))
    .withPanel(
      timeseriesPanel(
        {
          title: 'Conntrack entries against limit',
          description:
            'Tracked connections in each of the router\'s namespaces (solid) and the limit, nf_conntrack_max (dashed). New connections are dropped once entries reach the limit.',
        },
        'short',
      )
        .min(0)
        .withTarget(rangeQuery('A', routerSelector('netns_nf_conntrack_entries'), '{{netns}} entries'))
        .withTarget(rangeQuery('B', routerSelector('netns_nf_conntrack_entries_limit'), '{{netns}} limit'))
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
          description: 'Share of the conntrack limit in use per namespace. Orange from 75 % (warning alert), red from 90 % (critical alert).',
        },
        'percentunit',
      )
        .min(0)
        .max(1)
        .thresholds(CONNTRACK_THRESHOLDS())
        .withTarget(instantQuery('A', conntrackUse(ROUTER_NAMESPACES), '{{netns}}'))
        .height(8)
        .span(8),
    );
}

/** Builds the tenant router dashboard. */
export function buildTenantRouterDashboard(): dashboard.Dashboard {
  const routerNamespaceInfo = `netns_info{job=~"$job", kind=~"${ROUTER_KINDS}"`;
  const board = dashboardFrame(
    UID.tenantRouter,
    'Network namespaces / Tenant router',
    'One Neutron router on one host: its qrouter- and snat- namespaces and the fip- namespaces of the host. Interfaces, iptables rules and conntrack.',
  )
    .withVariable(datasourceVariable())
    .withVariable(jobVariable())
    .withVariable(
      labelValuesVariable(
        'project',
        'Project',
        'Narrows the router list to one project. Needs a labels file (--netns.labels-file) that sets "project"; without one only "All" is offered.',
        `label_values(${routerNamespaceInfo}}, project)`,
        { includeAll: true },
      ),
    )
    .withVariable(
      labelValuesVariable(
        'router',
        'Router',
        'Router ID (the UUID in qrouter-<id> and snat-<id>).',
        `label_values(${routerNamespaceInfo}, project=~"$project"}, id)`,
      ),
    )
    .withVariable(
      labelValuesVariable(
        'instance',
        'Host',
        'Host (exporter instance) carrying the router; HA and DVR routers live on several.',
        `label_values(${routerNamespaceInfo}, id=~"$router"}, instance)`,
      ),
    );
  routerRow(board);
  interfacesRow(board);
  iptablesRow(board);
  conntrackRow(board);
  return numberPanels(board.build());
}
