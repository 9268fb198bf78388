// Interface counters (all 16 columns of /proc/net/dev), operstate, MTU and MAC address for every
// interface of a namespace. Field names follow node_exporter's netdev collector (node_network_*).

import { parseIpLinkJson, type LinkRecord } from '../parsers/ip-link-json.js';
import { parseRtnetlinkLinks } from '../parsers/netlink/rtnetlink-links.js';
import {
  parseProcNetDev,
  RECEIVE_COUNTERS,
  TRANSMIT_COUNTERS,
  type NetDevRecord,
} from '../parsers/proc-net-dev.js';
import type { ReaderError } from '../readers/reader.js';
import type { MetricFamily, Sample } from '../snapshot/model.js';
import { family, type Collector } from './collector.js';
import { parseFailureError, parseReading, readingText, type ParsersByFormat } from './reading.js';

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
const infoFamily = family(
  'netns_network_info',
  'gauge',
  'Non-numeric data of a network device; value is always 1.',
  ['netns', 'device', 'address', 'operstate'],
);
const mtuFamily = family('netns_network_mtu_bytes', 'gauge', 'MTU of a network device, in bytes.', DEVICE_LABELS);

/** Link attribute parsers by the format the reader returned (exec: `ip -j link`; native: rtnetlink). */
const linkParsers: ParsersByFormat<LinkRecord[]> = {
  'ip-link-json': (data) => parseIpLinkJson(data.toString('utf8')),
  rtnetlink: parseRtnetlinkLinks,
};

export const interfacesCollector: Collector = {
  name: 'interfaces',
  description: 'interface counters, operstate, MTU and address',
  defaultEnabled: true,
  families: [...receiveFamilies, ...transmitFamilies, upFamily, infoFamily, mtuFamily],
  requests: () => ['net-dev', 'links'],
  collect(ns, readings, options) {
    const samples: Sample[] = [];
    const failures: ReaderError[] = [];

    const netDev = readingText(readings.get('net-dev'), 'net-dev');
    if (netDev.ok) {
      const rows = parseProcNetDev(netDev.value);
      if (rows.ok) {
        for (const row of rows.value) {
          if (options.deviceFilter(row.device)) pushCounters(samples, ns.name, row);
        }
      } else {
        failures.push(parseFailureError('net-dev', rows.error.detail));
      }
    } else if (netDev.error.kind !== 'not-present') {
      failures.push(netDev.error);
    }

    const linksReading = readings.get('links');
    if (linksReading?.ok) {
      const links = parseReading(linksReading, linkParsers);
      if (links.ok) {
        for (const link of links.value) {
          if (!options.deviceFilter(link.device)) continue;
          const up = link.operstate.toLowerCase() === 'up' ? 1 : 0;
          samples.push({ family: upFamily, labelValues: [ns.name, link.device], value: up });
          samples.push({
            family: infoFamily,
            labelValues: [ns.name, link.device, link.address, link.operstate.toLowerCase()],
            value: 1,
          });
          samples.push({ family: mtuFamily, labelValues: [ns.name, link.device], value: link.mtu });
        }
      } else {
        failures.push(parseFailureError('links', links.error.detail));
      }
    } else if (linksReading === undefined) {
      failures.push({ kind: 'tool-failed', detail: 'links: not read' });
    } else if (linksReading.error.kind !== 'not-present') {
      failures.push(linksReading.error);
    }

    return { samples, failures };
  },
};

function pushCounters(samples: Sample[], netns: string, row: NetDevRecord): void {
  const labelValues = [netns, row.device];
  RECEIVE_COUNTERS.forEach((counter, i) =>
    samples.push({ family: receiveFamilies[i] as MetricFamily, labelValues, value: row.receive[counter] }),
  );
  TRANSMIT_COUNTERS.forEach((counter, i) =>
    samples.push({ family: transmitFamilies[i] as MetricFamily, labelValues, value: row.transmit[counter] }),
  );
}
