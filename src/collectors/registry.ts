// Every collector the exporter has, in exposition order. Flags (--[no-]collector.<name>) and the
// docs/metrics.md check are derived from this list.

import type { MetricFamily } from '../model/snapshot.js';
import type { Collector } from './collector.js';
import { carrierChangesCollector } from './carrier-changes.js';
import { conntrackStatCollector } from './conntrack-stat.js';
import { conntrackCollector } from './conntrack.js';
import { interfacesCollector } from './interfaces.js';
import { iptablesCollector } from './iptables.js';
import { neighborCollector } from './neighbor.js';
import { netstatCollector } from './netstat.js';
import { neutronHaCollector } from './neutron-ha.js';
import { sockstatCollector } from './sockstat.js';

export const COLLECTORS: readonly Collector[] = [
  interfacesCollector,
  iptablesCollector,
  conntrackCollector,
  carrierChangesCollector,
  conntrackStatCollector,
  netstatCollector,
  sockstatCollector,
  neighborCollector,
  neutronHaCollector,
];

/** The metric families of `collectors`, in exposition order. */
export function familiesOf(collectors: readonly Collector[]): MetricFamily[] {
  return collectors.flatMap((collector) => [...collector.families]);
}
