// Interface counters (all 16 columns of /proc/net/dev), operstate, MTU and MAC address for every
// interface of a namespace. Field names follow node_exporter's netdev collector (node_network_*).
// Sources: net-dev (the counters) and links (the attributes).

import { RECEIVE_COUNTERS, TRANSMIT_COUNTERS } from '../model/records/net-dev.js';
import { family, type MetricFamily } from '../model/snapshot.js';
import { linksSource } from '../sources/links.js';
import { netDevSource } from '../sources/net-dev.js';
import { nameFilter } from '../model/config.js';
import { defineCollector, type FlagReader } from './collector.js';
import { regexFlag } from './flag.js';

/**
 * --device.include and --device.exclude: which interfaces are reported. Declared here and shared by
 * every collector with series per interface (carrier_changes, neighbor), which list these same
 * declarations.
 */
export const deviceIncludeFlag = regexFlag('device.include', 'only report interfaces whose name matches');
export const deviceExcludeFlag = regexFlag('device.exclude', 'do not report interfaces whose name matches');
export const DEVICE_FLAGS = [deviceIncludeFlag, deviceExcludeFlag] as const;

export interface DeviceOptions {
  /** True when an interface of this name is reported. */
  readonly deviceFilter: (device: string) => boolean;
}

/** The options of a collector whose flags are DEVICE_FLAGS. */
export function deviceOptions(flag: FlagReader): DeviceOptions {
  return { deviceFilter: nameFilter(flag(deviceIncludeFlag), flag(deviceExcludeFlag)) };
}

const DEVICE_LABELS = ['netns', 'device'] as const;

const receiveFamilies = RECEIVE_COUNTERS.map((counter) =>
  family(
    `netns_network_receive_${counter}_total`,
    'counter',
    `Network device statistic receive_${counter}, as in /proc/net/dev inside the namespace.`,
    DEVICE_LABELS,
  ),
);
const transmitFamilies = TRANSMIT_COUNTERS.map((counter) =>
  family(
    `netns_network_transmit_${counter}_total`,
    'counter',
    `Network device statistic transmit_${counter}, as in /proc/net/dev inside the namespace.`,
    DEVICE_LABELS,
  ),
);
const upFamily = family('netns_network_up', 'gauge', 'Value is 1 if operstate is "up", 0 otherwise.', DEVICE_LABELS);
const infoFamily = family('netns_network_info', 'gauge', 'Non-numeric data of a network device; value is always 1.', [
  'netns',
  'device',
  'address',
  'operstate',
]);
const mtuFamily = family('netns_network_mtu_bytes', 'gauge', 'MTU of a network device, in bytes.', DEVICE_LABELS);

/** Families of the 16 counters in /proc/net/dev's column order (receive, then transmit); the column is the counter kind. */
const counterFamilies: readonly MetricFamily[] = [...receiveFamilies, ...transmitFamilies];

export const interfacesCollector = defineCollector<DeviceOptions>({
  name: 'interfaces',
  description: 'interface counters, operstate, MTU and address',
  defaultEnabled: true,
  flags: DEVICE_FLAGS,
  options: deviceOptions,
  families: [...counterFamilies, upFamily, infoFamily, mtuFamily],
  sources: () => [netDevSource, linksSource],
  collect({ ns, options }, input, out) {
    // one row per device, shared by every family labelled (netns, device)
    const rowOf = new Map<string, readonly string[]>();
    const row = (device: string): readonly string[] => {
      let labels = rowOf.get(device);
      if (labels === undefined) {
        labels = [ns.name, device];
        rowOf.set(device, labels);
      }
      return labels;
    };
    const netDev = input(netDevSource);
    if (netDev !== undefined) {
      netDev.rows.forEach((record, i) => {
        if (!options.deviceFilter(record.device)) return;
        const labels = row(record.device);
        const at = netDev.at?.[i];
        RECEIVE_COUNTERS.forEach((counter, column) =>
          out.counter(counterFamilies[column] as MetricFamily, labels, record.receive[counter], netDevSource, at, column),
        );
        TRANSMIT_COUNTERS.forEach((counter, i) => {
          const column = RECEIVE_COUNTERS.length + i;
          out.counter(counterFamilies[column] as MetricFamily, labels, record.transmit[counter], netDevSource, at, column);
        });
      });
    }
    for (const link of input(linksSource)?.links ?? []) {
      if (!options.deviceFilter(link.device)) continue;
      const labels = row(link.device);
      const operstate = link.operstate.toLowerCase();
      out.gauge(upFamily, labels, operstate === 'up' ? 1 : 0);
      out.gauge(infoFamily, [ns.name, link.device, link.address, operstate], 1);
      out.gauge(mtuFamily, labels, link.mtu);
    }
  },
});
