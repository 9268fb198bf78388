// Protocol counters of each namespace, named exactly as node_exporter's netstat collector names them
// (node_netstat_<Proto>_<Field>, our prefix): /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6.
// What tells a router that forwards from one that discards: Ip_ForwDatagrams against Ip_InDiscards,
// Ip_OutNoRoutes, Icmp_OutDestUnreachs. Which fields: --collector.netstat.fields, a regular
// expression on Proto_Field as node_exporter's; the default is a set chosen for routers.

import type { MetricFamily } from '../model/snapshot.js';
import { family } from '../model/snapshot.js';
import { netstatFileSource, snmp6Source, snmpSource } from '../sources/netstat.js';
import type { Collector } from './collector.js';

/**
 * What tells a broken router apart, and nothing more by default (every field is a series per router,
 * 1,000 routers a node): forwarding against discards, header and address errors, no route, ICMP
 * unreachables sent, TCP retransmits and listen drops and UDP errors of the router's own services
 * (metadata proxy, DNS, keepalived). Anything else: --collector.netstat.fields.
 */
const ROUTER_FIELDS: readonly string[] = [
  'Ip_ForwDatagrams',
  'Ip_InDiscards',
  'Ip_OutDiscards',
  'Ip_InHdrErrors',
  'Ip_InAddrErrors',
  'Ip_OutNoRoutes',
  'Icmp_OutDestUnreachs',
  'Icmp_InErrors',
  'Tcp_RetransSegs',
  'TcpExt_ListenDrops',
  'Udp_InErrors',
  'Udp_NoPorts',
  'Ip6_OutForwDatagrams',
  'Ip6_InDiscards',
  'Ip6_InNoRoutes',
  'Ip6_OutNoRoutes',
  'Icmp6_OutDestUnreachs',
];

/** The default of --collector.netstat.fields (anchored when compiled, as node_exporter's is). */
export const DEFAULT_NETSTAT_FIELDS = ROUTER_FIELDS.join('|');

const LABELS = ['netns'] as const;
const helpOf = (name: string): string => `Statistic ${name} of /proc/net/{snmp,netstat,snmp6} inside the namespace (node_exporter's netstat naming).`;
const familyName = (name: string): string => `netns_netstat_${name}`;

/** The default fields' families, declared so that they are documented and come out in this order. */
const declaredFamilies: readonly MetricFamily[] = ROUTER_FIELDS.map((name) => family(familyName(name), 'untyped', helpOf(name), LABELS));

export const netstatCollector: Collector = {
  name: 'netstat',
  description: 'protocol counters of /proc/net/snmp, netstat and snmp6 (forwarding, discards, errors)',
  defaultEnabled: true,
  families: declaredFamilies,
  sources: () => [snmpSource, netstatFileSource, snmp6Source],
  collect({ ns, options, family: familyNamed }, input, out) {
    const labels = [ns.name];
    for (const source of [snmpSource, netstatFileSource, snmp6Source]) {
      for (const { proto, field, value, at } of input(source) ?? []) {
        const name = `${proto}_${field}`;
        if (!options.netstatFields.test(name)) continue;
        // a counter at its place in the text: an unchanged file is refilled without this collector
        out.counter(familyNamed(familyName(name), 'untyped', helpOf(name), LABELS), labels, value, source, at);
      }
    }
  },
};
