// `netns-exporter top`'s table: one row per namespace from two readings of every namespace, sorted
// and filtered as the keys (or --sort/--kind) ask, rendered to fit a terminal. Rows are also the
// JSON shape of `top --output json` (docs/on-the-node.md; fields are only ever added).

import { increases, seriesOf, type NamespaceReading } from './namespace-reading.js';
import { bitsPerSecond, share, si, table, type Style } from './units.js';

export const TOP_FORMAT = 'netns-exporter/top/v1';

/** The families a row is made of: all `top` copies out of a snapshot. */
export const TOP_FAMILIES: ReadonlySet<string> = new Set([
  'netns_network_receive_bytes_total',
  'netns_network_transmit_bytes_total',
  'netns_network_receive_packets_total',
  'netns_network_transmit_packets_total',
  'netns_network_receive_errs_total',
  'netns_network_transmit_errs_total',
  'netns_network_receive_drop_total',
  'netns_network_transmit_drop_total',
  'netns_nf_conntrack_entries',
  'netns_nf_conntrack_entries_limit',
  'netns_iptables_rule_packets_total',
]);

export interface TopRow {
  readonly name: string;
  readonly kind: string;
  readonly id: string;
  /** From --netns.labels-file: its `project` (or `project_name`) label. */
  readonly project?: string;
  /** From --netns.labels-file: its `router_name` (or `network_name`, `name`) label. */
  readonly routerName?: string;
  /** Summed over the namespace's interfaces but lo, per second. */
  readonly receiveBitsPerSecond: number;
  readonly transmitBitsPerSecond: number;
  /** Received plus sent packets per second, interfaces but lo. */
  readonly packetsPerSecond: number;
  /** Receive plus transmit errors per second, every interface. */
  readonly errorsPerSecond: number;
  /** Receive plus transmit drops per second, every interface. */
  readonly dropsPerSecond: number;
  readonly conntrackEntries?: number;
  readonly conntrackLimit?: number;
  readonly conntrackUse?: number;
  /** Packets matched by any iptables rule, per second. */
  readonly ruleHitsPerSecond: number;
  /** Collectors that failed for this namespace at the second read, with their reasons. */
  readonly failures: readonly { readonly collector: string; readonly kind: string; readonly detail: string }[];
}

export interface TopReport {
  readonly format: typeof TOP_FORMAT;
  /** Seconds between the starts of the two collections. */
  readonly intervalSeconds: number;
  readonly backend: string;
  /** Sorted as asked (default: throughput, highest first). */
  readonly namespaces: readonly TopRow[];
}

export interface SortColumn {
  /** --sort value and the key that picks it. */
  readonly name: string;
  readonly key: string;
  readonly title: string;
  /** Largest first unless reversed, but for name (a-z). */
  readonly value: (row: TopRow) => number | string;
}

const throughput = (row: TopRow): number => row.receiveBitsPerSecond + row.transmitBitsPerSecond;

export const SORT_COLUMNS: readonly SortColumn[] = [
  { name: 'name', key: 'n', title: 'name', value: (row) => row.name },
  { name: 'throughput', key: 't', title: 'throughput', value: throughput },
  { name: 'packets', key: 'p', title: 'packets', value: (row) => row.packetsPerSecond },
  { name: 'errors', key: 'e', title: 'errors', value: (row) => row.errorsPerSecond },
  { name: 'drops', key: 'd', title: 'drops', value: (row) => row.dropsPerSecond },
  { name: 'conntrack', key: 'c', title: 'conntrack use', value: (row) => row.conntrackUse ?? -1 },
  { name: 'rules', key: 'h', title: 'rule hits', value: (row) => row.ruleHitsPerSecond },
  { name: 'failures', key: 'f', title: 'failures', value: (row) => row.failures.length },
];

export const DEFAULT_SORT = 'throughput';

function firstLabel(labels: Readonly<Record<string, string>>, names: readonly string[]): string | undefined {
  for (const name of names) if (labels[name] !== undefined) return labels[name];
  return undefined;
}

/**
 * One row per namespace read both times (a namespace new in the second read has no rates yet and
 * waits for the next refresh); `seconds` is the time between the two collections.
 */
export function topRows(
  before: ReadonlyMap<string, NamespaceReading>,
  after: readonly NamespaceReading[],
  seconds: number,
  labelsOf: (reading: NamespaceReading) => Readonly<Record<string, string>>,
): TopRow[] {
  const rows: TopRow[] = [];
  for (const reading of after) {
    const earlier = before.get(reading.ns.name);
    if (earlier?.ns.inode !== reading.ns.inode) continue;
    const sum = (family: string, withLoopback: boolean): number => {
      let total = 0;
      for (const series of increases(earlier, reading, family)) if (withLoopback || series.labels.device !== 'lo') total += series.increase;
      return total / seconds;
    };
    const labels = labelsOf(reading);
    const entries = seriesOf(reading, 'netns_nf_conntrack_entries')[0]?.value;
    const limit = seriesOf(reading, 'netns_nf_conntrack_entries_limit')[0]?.value;
    const project = firstLabel(labels, ['project', 'project_name']);
    const routerName = firstLabel(labels, ['router_name', 'network_name', 'name']);
    rows.push({
      name: reading.ns.name,
      kind: reading.ns.kind,
      id: reading.ns.id,
      ...(project === undefined ? {} : { project }),
      ...(routerName === undefined ? {} : { routerName }),
      receiveBitsPerSecond: sum('netns_network_receive_bytes_total', false) * 8,
      transmitBitsPerSecond: sum('netns_network_transmit_bytes_total', false) * 8,
      packetsPerSecond: sum('netns_network_receive_packets_total', false) + sum('netns_network_transmit_packets_total', false),
      errorsPerSecond: sum('netns_network_receive_errs_total', true) + sum('netns_network_transmit_errs_total', true),
      dropsPerSecond: sum('netns_network_receive_drop_total', true) + sum('netns_network_transmit_drop_total', true),
      ...(entries === undefined ? {} : { conntrackEntries: entries }),
      ...(limit === undefined ? {} : { conntrackLimit: limit }),
      ...(entries !== undefined && limit !== undefined && limit > 0 ? { conntrackUse: entries / limit } : {}),
      ruleHitsPerSecond: sum('netns_iptables_rule_packets_total', true),
      failures: reading.failures,
    });
  }
  return rows;
}

export interface TopView {
  readonly sort: string;
  /** Smallest first (name: z-a). */
  readonly reversed: boolean;
  /** Only namespaces of this kind (qrouter, qdhcp, ...); undefined: all. */
  readonly kind?: string;
  /** Only namespaces whose name, id, project or router name contains this text. */
  readonly text?: string;
}

/** `rows` filtered and sorted as `view` says; ties by name. */
export function viewRows(rows: readonly TopRow[], view: TopView): TopRow[] {
  const column = SORT_COLUMNS.find((candidate) => candidate.name === view.sort) ?? SORT_COLUMNS[1];
  const text = view.text?.toLowerCase();
  const shown = rows.filter(
    (row) =>
      (view.kind === undefined || row.kind === view.kind) &&
      (text === undefined ||
        text === '' ||
        [row.name, row.id, row.project ?? '', row.routerName ?? ''].some((value) => value.toLowerCase().includes(text))),
  );
  const ascending = column?.name === 'name';
  const direction = (ascending ? 1 : -1) * (view.reversed ? -1 : 1);
  return shown.sort((a, b) => {
    const x = column?.value(a) ?? 0;
    const y = column?.value(b) ?? 0;
    const order = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return order * direction || a.name.localeCompare(b.name);
  });
}

const HEADER = ['namespace', 'kind', 'project', 'router', 'rx', 'tx', 'pkt/s', 'err/s', 'drop/s', 'conntrack', 'rules/s', 'failures'];
const RIGHT = new Set([4, 5, 6, 7, 8, 9, 10]);

function cells(row: TopRow): string[] {
  return [
    row.name,
    row.kind,
    row.project ?? '',
    row.routerName ?? '',
    bitsPerSecond(row.receiveBitsPerSecond / 8),
    bitsPerSecond(row.transmitBitsPerSecond / 8),
    si(row.packetsPerSecond),
    si(row.errorsPerSecond),
    si(row.dropsPerSecond),
    row.conntrackEntries === undefined ? '-' : `${si(row.conntrackEntries)} ${share(row.conntrackUse)}`,
    si(row.ruleHitsPerSecond),
    row.failures.map((failure) => failure.collector).join(','),
  ];
}

/**
 * The table as lines: a header and one line per row. `limit` keeps the first rows (a screen's
 * worth); `width` cuts lines to the terminal. Rows with errors, drops or failures are highlighted.
 */
export function renderTopTable(rows: readonly TopRow[], style: Style, limit = Infinity, width = Infinity): string[] {
  const shown = rows.slice(0, limit);
  const [header = '', ...lines] = table(HEADER, shown.map(cells), RIGHT);
  const cut = (line: string): string => (line.length > width ? line.slice(0, Math.max(width, 0)) : line);
  return [
    style.inverse(cut(header).padEnd(Number.isFinite(width) ? width : 0)),
    ...lines.map((line, i) => {
      const row = shown[i];
      const text = cut(line);
      if (row === undefined) return text;
      if (row.failures.length > 0 || row.errorsPerSecond > 0) return style.red(text);
      if (row.dropsPerSecond > 0) return style.yellow(text);
      return text;
    }),
  ];
}
