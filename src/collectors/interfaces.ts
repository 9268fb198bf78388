// Interface counters (all 16 columns of /proc/net/dev), operstate, MTU and MAC address for every
// interface of a namespace. Field names follow node_exporter's netdev collector (node_network_*).

import { parseIpLinkJson, type LinkRecord } from '../parsers/ip-link-json.js';
import {
  netDevColumn,
  parseRtnetlinkInterfaces,
  parseRtnetlinkLinks,
  parseRtnetlinkNetDev,
  rtnetlinkVolatileRanges,
} from '../parsers/netlink/rtnetlink-links.js';
import { parsed } from '../parsers/parse-result.js';
import { keepShape, netlinkHeaderRanges, sameKeptShape, type KeptShape } from '../parsers/reading-shape.js';
import {
  parseProcNetDev,
  RECEIVE_COUNTERS,
  TRANSMIT_COUNTERS,
  type NetDevRecord,
} from '../parsers/proc-net-dev.js';
import type { ReaderError } from '../readers/reader.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../snapshot/model.js';
import { family, type Collector } from './collector.js';
import { sameOrNewRows } from './label-rows.js';
import { parseFailureError, parseReading, type ParsersByFormat } from './reading.js';

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

/** Counter parsers by the format the reader returned (exec: /proc/net/dev; native: the link dump's IFLA_STATS64). */
const netDevParsers: ParsersByFormat<NetDevRecord[]> = {
  text: (data) => parseProcNetDev(data.toString('utf8')),
  rtnetlink: parseRtnetlinkNetDev,
};

/** Link attribute parsers by the format the reader returned (exec: `ip -j link`; native: rtnetlink). */
const linkParsers: ParsersByFormat<LinkRecord[]> = {
  'ip-link-json': (data) => parseIpLinkJson(data.toString('utf8')),
  rtnetlink: parseRtnetlinkLinks,
};

/** The label rows this collector made last time for a namespace, reused while they stay the same. */
interface InterfacesMemo {
  readonly devices?: LabelRows;
  readonly links?: LabelRows;
  readonly info?: LabelRows;
  /** Set when one link dump answered both requests and parsed cleanly. */
  readonly linkDump?: LinkDumpMemo;
}

/**
 * A link dump and what it gave: a later dump of the same shape (links, names, MTUs, addresses and
 * operstates unchanged; only counters moved) is answered from here, reading each device's counters
 * at the offset the parse found them, without parsing the dump again.
 */
interface LinkDumpMemo {
  readonly shape: KeptShape;
  /** Where the counters of each reported device (the memo's `devices` rows, in order) are. */
  readonly countersAt: readonly number[];
  /** up, info and MTU: nothing in them can change while the shape holds. */
  readonly linkSeries: readonly SeriesGroup[];
}

export const interfacesCollector: Collector = {
  name: 'interfaces',
  description: 'interface counters, operstate, MTU and address',
  defaultEnabled: true,
  families: [...receiveFamilies, ...transmitFamilies, upFamily, infoFamily, mtuFamily],
  requests: () => ['net-dev', 'links'],
  collect(ns, readings, options, memo) {
    const previous = (memo ?? {}) as InterfacesMemo;
    const netDev = readings.get('net-dev');
    const linksReading = readings.get('links');
    // the native reader answers both with one link dump
    const dump =
      netDev?.ok && linksReading?.ok && netDev.data === linksReading.data && netDev.format === 'rtnetlink' && linksReading.format === 'rtnetlink'
        ? netDev.data
        : undefined;
    const last = previous.linkDump;
    const devices = previous.devices;
    if (dump !== undefined && last !== undefined && devices !== undefined && sameKeptShape(last.shape, dump)) {
      const series: SeriesGroup[] = [];
      pushCountersAt(series, devices, dump, last.countersAt);
      series.push(...last.linkSeries);
      return { series, failures: [], memo: previous };
    }

    const kept: { devices?: LabelRows; links?: LabelRows; info?: LabelRows; linkDump?: LinkDumpMemo } = {};
    const series: SeriesGroup[] = [];
    const failures: ReaderError[] = [];
    // one pass over a shared dump answers both
    const shared = dump === undefined ? undefined : parseRtnetlinkInterfaces(dump);
    let countersAt: number[] | undefined;
    let linkSeries: SeriesGroup[] | undefined;

    if (netDev?.ok) {
      const rows = shared ? (shared.ok ? parsed(shared.value.counters) : shared) : parseReading(netDev, netDevParsers);
      if (rows.ok) {
        // the device filter (the operator's regexes) decides once per device, for the rows and their offsets
        const reported = rows.value.map((row) => options.deviceFilter(row.device));
        const devices = rows.value.filter((_, i) => reported[i]);
        if (shared?.ok) countersAt = shared.value.countersAt.filter((_, i) => reported[i]);
        kept.devices = sameOrNewRows(previous.devices, devices.map((row) => [ns.name, row.device]));
        pushCounters(series, kept.devices, devices);
      } else {
        failures.push(parseFailureError('net-dev', rows.error.detail));
      }
    } else if (netDev === undefined) {
      failures.push({ kind: 'tool-failed', detail: 'net-dev: not read' });
    } else if (netDev.error.kind !== 'not-present') {
      failures.push(netDev.error);
    }

    if (linksReading?.ok) {
      const parsedLinks = shared ? (shared.ok ? parsed(shared.value.links) : shared) : parseReading(linksReading, linkParsers);
      if (parsedLinks.ok) {
        const links = parsedLinks.value.filter((link) => options.deviceFilter(link.device));
        kept.links = sameOrNewRows(previous.links, links.map((link) => [ns.name, link.device]));
        kept.info = sameOrNewRows(
          previous.info,
          links.map((link) => [ns.name, link.device, link.address, link.operstate.toLowerCase()]),
        );
        linkSeries = [
          { family: upFamily, labels: kept.links, values: links.map((link) => (link.operstate.toLowerCase() === 'up' ? 1 : 0)) },
          { family: infoFamily, labels: kept.info, values: links.map(() => 1) },
          { family: mtuFamily, labels: kept.links, values: links.map((link) => link.mtu) },
        ];
        series.push(...linkSeries);
      } else {
        failures.push(parseFailureError('links', parsedLinks.error.detail));
      }
    } else if (linksReading === undefined) {
      failures.push({ kind: 'tool-failed', detail: 'links: not read' });
    } else if (linksReading.error.kind !== 'not-present') {
      failures.push(linksReading.error);
    }

    if (dump !== undefined && failures.length === 0 && kept.devices !== undefined && countersAt !== undefined && linkSeries !== undefined) {
      kept.linkDump = { shape: keepShape(dump, [...rtnetlinkVolatileRanges(dump), ...netlinkHeaderRanges(dump)]), countersAt, linkSeries };
    }
    return { series, failures, memo: kept };
  },
};

/** Families of the 16 counters in /proc/net/dev's column order (receive, then transmit). */
const counterFamilies: readonly MetricFamily[] = [...receiveFamilies, ...transmitFamilies];

/**
 * The counters of the memo's devices, read where the last parse found them, straight into one values
 * array per family: no per-device record (at 1,000 routers this path runs 3,000 times a scrape).
 */
function pushCountersAt(series: SeriesGroup[], labels: LabelRows, dump: Buffer, countersAt: readonly number[]): void {
  for (let column = 0; column < counterFamilies.length; column++) {
    // map: a packed array of exactly this length, as the parse path makes (it lives all scrape; for a
    // few devices a Float64Array is twice the size, and an array grown by push has room for 17)
    const values = countersAt.map((at) => netDevColumn(dump, at, column));
    series.push({ family: counterFamilies[column] as MetricFamily, labels, values });
  }
}

function pushCounters(series: SeriesGroup[], labels: LabelRows, rows: readonly NetDevRecord[]): void {
  RECEIVE_COUNTERS.forEach((counter, i) =>
    series.push({ family: receiveFamilies[i] as MetricFamily, labels, values: rows.map((row) => row.receive[counter]) }),
  );
  TRANSMIT_COUNTERS.forEach((counter, i) =>
    series.push({ family: transmitFamilies[i] as MetricFamily, labels, values: rows.map((row) => row.transmit[counter]) }),
  );
}
