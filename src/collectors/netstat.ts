// Protocol counters of each namespace, named exactly as node_exporter's netstat collector names them
// (node_netstat_<Proto>_<Field>, our prefix): /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6.
// What tells a router that forwards from one that discards: Ip_ForwDatagrams against Ip_InDiscards,
// Ip_OutNoRoutes, Icmp_OutDestUnreachs. Which fields: --collector.netstat.fields, a regular
// expression on Proto_Field as node_exporter's; the default is a set chosen for routers.

import type { MetricFamily } from '../model/snapshot.js';
import { family } from '../model/snapshot.js';
import { NETSTAT_FILES, type NetstatFileSource } from '../sources/netstat.js';
import { defineCollector, type OwnNamespaceInput } from './collector.js';
import { compileRegex, valueFlag } from './flag.js';

/**
 * What tells a broken router apart, and nothing more by default (every field is a series per router,
 * 1,000 routers a node): forwarding against discards, header and address errors, no route, ICMP
 * unreachables sent, TCP retransmits and UDP errors of the router's own services (metadata proxy,
 * DNS, keepalived). All of them are in snmp and snmp6: /proc/net/netstat (TcpExt, IpExt), the
 * largest and dearest of the three to read (4 KB, about 40 µs of kernel time a namespace), is then
 * not read at all. Anything else, TcpExt_ListenDrops for one: --collector.netstat.fields.
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

export const netstatFieldsFlag = valueFlag({
  name: 'collector.netstat.fields',
  placeholder: '<regex>',
  help: 'netstat fields (Proto_Field) to export',
  default: DEFAULT_NETSTAT_FIELDS,
  documentedDefault: 'a router set',
  // anchored as node_exporter's --collector.netstat.fields is: the whole Proto_Field must match
  parse: (text) => compileRegex('collector.netstat.fields', `^(?:${text ?? DEFAULT_NETSTAT_FIELDS})$`),
});

interface NetstatOptions {
  /** Which fields (`Proto_Field`) are exported. */
  readonly fields: RegExp;
  /** The files read in every namespace: those that hold a selected field (selectNetstatFiles), in their order. */
  readonly files: readonly NetstatFileSource[];
}

const LABELS = ['netns'] as const;
const helpOf = (name: string): string =>
  `Statistic ${name} of /proc/net/{snmp,netstat,snmp6} inside the namespace (node_exporter's netstat naming).`;
const familyName = (name: string): string => `netns_netstat_${name}`;

/** The default fields' families, declared so that they are documented and come out in this order. */
const declaredFamilies: readonly MetricFamily[] = ROUTER_FIELDS.map((name) => family(familyName(name), 'untyped', helpOf(name), LABELS));

/**
 * Names a file prints only once the kernel has counted them (net/ipv4/proc.c icmpmsg_put,
 * net/ipv6/proc.c snmp6_seq_show_icmpv6msg): one per ICMP type, so the exporter's own namespace may
 * not show them yet. A selection that could match one of them reads the file.
 */
const NAMES_THAT_COME_LATER: ReadonlyMap<string, readonly string[]> = new Map([
  ['snmp', icmpTypeNames('IcmpMsg_')],
  ['snmp6', icmpTypeNames('Icmp6_')],
]);

function icmpTypeNames(prefix: string): string[] {
  return Array.from({ length: 256 }, (_, type) => [`${prefix}InType${type}`, `${prefix}OutType${type}`]).flat();
}

/**
 * The files (by source name) worth reading for a selection: those that print a selected field, or may
 * print one later. `printed` holds the field names (`Proto_Field`) this kernel prints in each file,
 * read in the exporter's own namespace (every namespace prints the same ones); a file missing from it
 * (unreadable at start) is read, since what it holds is not known.
 */
export function selectNetstatFiles(fields: RegExp, printed: ReadonlyMap<string, readonly string[]>): ReadonlySet<string> {
  return new Set(
    NETSTAT_FILES.filter((file) => {
      const names = printed.get(file.name);
      return names === undefined || [...names, ...(NAMES_THAT_COME_LATER.get(file.name) ?? [])].some((name) => fields.test(name));
    }).map((file) => file.name),
  );
}

/**
 * The field names (`Proto_Field`) each file prints in the exporter's own namespace, by source name
 * (every namespace prints the same ones: the kernel's tables in net/ipv4/proc.c and
 * net/ipv6/proc.c); a file that cannot be read or parsed there is left out.
 */
export function printedFieldNames(own: OwnNamespaceInput): Map<string, string[]> {
  const printed = new Map<string, string[]>();
  for (const file of NETSTAT_FILES) {
    const records = own(file);
    if (records !== undefined)
      printed.set(
        file.name,
        records.map(({ proto, field }) => `${proto}_${field}`),
      );
  }
  return printed;
}

export const netstatCollector = defineCollector<NetstatOptions>({
  name: 'netstat',
  description: 'protocol counters of /proc/net/snmp, netstat and snmp6 (forwarding, discards, errors)',
  defaultEnabled: true,
  flags: [netstatFieldsFlag],
  options: (flag, own) => {
    const fields = flag(netstatFieldsFlag);
    // a file none of whose fields is selected is not read in any namespace
    const selected = selectNetstatFiles(fields, printedFieldNames(own));
    return { fields, files: NETSTAT_FILES.filter((file) => selected.has(file.name)) };
  },
  families: declaredFamilies,
  // only the files that hold a selected field: each costs a read in every namespace
  sources: (options) => options.files,
  collect({ ns, options, family: familyNamed }, input, out) {
    const labels = [ns.name];
    for (const source of options.files) {
      for (const { proto, field, value, at } of input(source) ?? []) {
        const name = `${proto}_${field}`;
        if (!options.fields.test(name)) continue;
        // a counter at its place in the text: an unchanged file is refilled without this collector
        out.counter(familyNamed(familyName(name), 'untyped', helpOf(name), LABELS), labels, value, source, at);
      }
    }
  },
});
