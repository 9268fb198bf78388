// How many processes of each Neutron service live in each namespace: a qdhcp- namespace whose
// dnsmasq died gives no DHCP, a qrouter- whose haproxy died gives no metadata, an HA router whose
// keepalived died never fails over. Counted from what discovery saw in its one walk of /proc
// (NetnsRef.processes: which pid's /proc/<pid>/ns/net is this namespace, and its name); nothing is
// read inside the namespace, and the collector has no source. So the pipeline never refills it from
// an earlier scrape (collect-namespace.ts): its counts change while no reading does.

import type { NetnsKind } from '../model/netns-ref.js';
import type { NetnsProcess } from '../model/records/processes.js';
import { family } from '../model/snapshot.js';
import { commandNameOf } from '../parsers/proc-cmdline.js';
import { defineCollector } from './collector.js';
import { FlagValueError, valueFlag } from './flag.js';

/** Neutron's services in its namespaces: the DHCP server, the metadata proxy, VRRP and its watcher, IPv6 router advertisements. */
const NEUTRON_SERVICES = ['dnsmasq', 'haproxy', 'keepalived', 'radvd', 'neutron-keepalived-state-change'] as const;

export const processNamesFlag = valueFlag({
  name: 'collector.processes.names',
  placeholder: '<name,...>',
  help: 'process names to count in each namespace, comma-separated (matched on the process name or the base name of its program or script)',
  default: NEUTRON_SERVICES.join(','),
  parse: (text) => parseNames(text ?? NEUTRON_SERVICES.join(',')),
});

function parseNames(text: string): readonly string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new FlagValueError(`--collector.processes.names: an empty name in ${JSON.stringify(text)} (names are comma-separated)`);
  }
  return [...new Set(names)];
}

/**
 * What each kind of namespace runs, as Neutron's agents start it: reported as 0 when none runs, so
 * that an alert sees the absence. A name not listed for a kind is reported only where it runs.
 * - qdhcp: the DHCP agent's dnsmasq.
 * - qrouter: the L3 agent's metadata proxy, haproxy (not on an HA router's backup: the alerts allow
 *   for that); and, on an HA router, keepalived and neutron-keepalived-state-change. A router is
 *   taken as HA here when either of these two runs in it: they are started and stopped together, so
 *   one without the other is the broken case. A router both have left is not told from a legacy one
 *   here; the alert on keepalived uses netns_router_ha_state (the L3 agent's state file) for that.
 * - ovnmeta: the OVN metadata agent's haproxy.
 * radvd never gets a 0: it runs only for IPv6 subnets in SLAAC or DHCPv6-stateless modes, which
 * nothing in the namespace tells (an IPv6 address does not say its subnet's ra_mode).
 */
function expectedNames(kind: NetnsKind, running: (name: string) => boolean): readonly string[] {
  switch (kind) {
    case 'qdhcp':
      return ['dnsmasq'];
    case 'qrouter':
      return running('keepalived') || running('neutron-keepalived-state-change')
        ? ['haproxy', 'keepalived', 'neutron-keepalived-state-change']
        : ['haproxy'];
    case 'ovnmeta':
      return ['haproxy'];
    default:
      return [];
  }
}

const processesFamily = family(
  'netns_processes',
  'gauge',
  'Processes of this name living in the namespace (--collector.processes.names; matched on /proc/<pid>/comm or the base name of the program or script its command line runs). 0 for a name the namespace kind runs that is missing: qdhcp dnsmasq; qrouter haproxy, and keepalived and neutron-keepalived-state-change where either runs; ovnmeta haproxy.',
  ['netns', 'name'],
);

/** The configured name `process` counts for, if any: its comm, else the program or script of its command line. */
function nameOf(process: NetnsProcess, names: ReadonlySet<string>): string | undefined {
  if (names.has(process.comm)) return process.comm;
  if (process.cmdline === undefined) return undefined;
  const command = commandNameOf(process.cmdline);
  return command !== undefined && names.has(command) ? command : undefined;
}

export const processesCollector = defineCollector<{ readonly names: readonly string[]; readonly nameSet: ReadonlySet<string> }>({
  name: 'processes',
  description: 'Neutron service processes (dnsmasq, haproxy, keepalived, ...) per namespace, from discovery',
  defaultEnabled: true,
  flags: [processNamesFlag],
  options: (flag) => {
    const names = flag(processNamesFlag);
    return { names, nameSet: new Set(names) };
  },
  families: [processesFamily],
  sources: () => [],
  collect({ ns, options }, _input, out) {
    // the exporter's own namespace (--netns.include-host): its processes are not examined, they are the host's
    if (ns.kind === 'host') return;
    const processes = ns.processes;
    // not a zero: discovery could not list /proc or may not examine every process, and has said why
    if (processes === undefined) throw new Error('the processes of this namespace are not known (see the discovery problem logged)');
    const counts = new Map<string, number>();
    for (const process of processes) {
      const name = nameOf(process, options.nameSet);
      if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const expected = expectedNames(ns.kind, (name) => counts.has(name));
    for (const name of options.names) {
      const count = counts.get(name) ?? 0;
      if (count > 0 || expected.includes(name)) out.gauge(processesFamily, [ns.name, name], count);
    }
  },
});
