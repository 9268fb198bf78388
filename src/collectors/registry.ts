// Every collector the exporter has, in exposition order. Flags (--[no-]collector.<name>) and the
// docs/metrics.md check are derived from this list.

import type { Collector } from './collector.js';
import { conntrackCollector } from './conntrack.js';
import { interfacesCollector } from './interfaces.js';
import { iptablesCollector } from './iptables.js';

export const COLLECTORS: readonly Collector[] = [interfacesCollector, iptablesCollector, conntrackCollector];
