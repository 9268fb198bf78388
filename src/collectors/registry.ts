// Every collector the exporter has, in exposition order: the one line a new collector adds here.
// Flags (--[no-]collector.<name> and each collector's own), the README's flags table check and
// docs/metrics.md are derived from this list.

import type { MetricFamily } from '../model/snapshot.js';
import type { CollectorDeclaration } from './collector.js';
import type { CollectorFlag } from './flag.js';
import { carrierChangesCollector } from './carrier-changes.js';
import { conntrackStatCollector } from './conntrack-stat.js';
import { conntrackCollector } from './conntrack.js';
import { interfacesCollector } from './interfaces.js';
import { iptablesCollector } from './iptables.js';
import { neighborCollector } from './neighbor.js';
import { netstatCollector } from './netstat.js';
import { neutronHaCollector } from './neutron-ha.js';
import { processesCollector } from './processes.js';
import { sockstatCollector } from './sockstat.js';
import { tcCollector } from './tc.js';

export const COLLECTORS: readonly CollectorDeclaration[] = [
  interfacesCollector,
  iptablesCollector,
  conntrackCollector,
  carrierChangesCollector,
  conntrackStatCollector,
  netstatCollector,
  sockstatCollector,
  neighborCollector,
  neutronHaCollector,
  processesCollector,
  tcCollector,
];

/** The metric families of `collectors`, in exposition order. */
export function familiesOf(collectors: readonly { readonly families: readonly MetricFamily[] }[]): MetricFamily[] {
  return collectors.flatMap((collector) => [...collector.families]);
}

/**
 * The collectors' own flags, each once (a declaration several collectors list is one flag), in the
 * order the collectors declare them. Two declarations of one name are a bug: it throws.
 */
export function collectorFlags(collectors: readonly CollectorDeclaration[]): CollectorFlag[] {
  const byName = new Map<string, CollectorFlag>();
  for (const collector of collectors) {
    for (const flag of collector.flags) {
      const known = byName.get(flag.name);
      if (known !== undefined && known !== flag) throw new Error(`--${flag.name} is declared twice (collector ${collector.name})`);
      if (collectors.some((other) => `collector.${other.name}` === flag.name))
        throw new Error(`--${flag.name} is the switch of a collector`);
      byName.set(flag.name, flag);
    }
  }
  return [...byName.values()];
}
