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
 * Forwarding, discards, header and address errors, no-route, ICMP unreachables and errors, and the
 * TCP and UDP errors a router's own services (metadata proxy, DNS, keepalived) run into.
 */
const ROUTER_FIELDS: readonly string[] = [
  'Ip_Forwarding',
  'Ip_ForwDatagrams',
  'Ip_InReceives',
  'Ip_InDelivers',
  'Ip_OutRequests',
  'Ip_InDiscards',
  'Ip_OutDiscards',
  'Ip_InHdrErrors',
  'Ip_InAddrErrors',
  'Ip_InUnknownProtos',
  'Ip_OutNoRoutes',
  'Ip_ReasmFails',
  'Ip_FragFails',
  'Icmp_InErrors',
  'Icmp_OutErrors',
  'Icmp_InDestUnreachs',
  'Icmp_OutDestUnreachs',
  'Icmp_OutTimeExcds',
  'Tcp_RetransSegs',
  'Tcp_InErrs',
  'Tcp_OutRsts',
  'Tcp_AttemptFails',
  'Tcp_EstabResets',
  'Tcp_CurrEstab',
  'Udp_InErrors',
  'Udp_NoPorts',
  'Udp_RcvbufErrors',
  'Udp_SndbufErrors',
  'TcpExt_ListenDrops',
  'TcpExt_ListenOverflows',
  'Ip6_InReceives',
  'Ip6_InDelivers',
  'Ip6_OutForwDatagrams',
  'Ip6_InDiscards',
  'Ip6_OutDiscards',
  'Ip6_InHdrErrors',
  'Ip6_InAddrErrors',
  'Ip6_InNoRoutes',
  'Ip6_OutNoRoutes',
  'Icmp6_InErrors',
  'Icmp6_OutErrors',
  'Icmp6_InDestUnreachs',
  'Icmp6_OutDestUnreachs',
  'Udp6_InErrors',
  'Udp6_NoPorts',
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
