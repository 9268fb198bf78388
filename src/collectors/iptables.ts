// iptables and ip6tables chains and rules with their counters, for both kernel backends: nf_tables
// (what `iptables` is on current distributions) and legacy x_tables. A namespace may use both at
// once (an old agent with iptables-legacy next to a new one), so `backend` keeps their series apart.

import { endianness } from 'node:os';
import { parseIptablesSave, type CounterOffsets, type IptablesTable } from '../parsers/iptables-save.js';
import { nftablesCounterRanges, parseNftablesRuleset } from '../parsers/netlink/nftables-ruleset.js';
import { parseXtablesEntries } from '../parsers/netlink/xtables-entries.js';
import type { ParseResult } from '../parsers/parse-result.js';
import { keepShape, netlinkHeaderRanges, readCounter, sameKeptShape, viewOf, type KeptShape } from '../parsers/reading-shape.js';
import type { RawFormat, ReaderError, ReadRequest } from '../readers/reader.js';
import type { LabelRows, MetricFamily, SeriesGroup } from '../snapshot/model.js';
import { family, type Collector, type CollectorOptions } from './collector.js';
import { intern, sameOrNewRows } from './label-rows.js';

const TABLE_SOURCES: readonly { request: ReadRequest; backend: 'nft' | 'legacy'; family: 'ipv4' | 'ipv6' }[] = [
  { request: 'iptables-nft-ipv4', backend: 'nft', family: 'ipv4' },
  { request: 'iptables-nft-ipv6', backend: 'nft', family: 'ipv6' },
  { request: 'iptables-legacy-ipv4', backend: 'legacy', family: 'ipv4' },
  { request: 'iptables-legacy-ipv6', backend: 'legacy', family: 'ipv6' },
];

const CHAIN_LABELS = ['netns', 'backend', 'family', 'table', 'chain'] as const;

const policyPacketsFamily = family(
  'netns_iptables_chain_policy_packets_total',
  'counter',
  'Packets that reached the end of a built-in chain and took its policy.',
  [...CHAIN_LABELS, 'policy'],
);
const policyBytesFamily = family(
  'netns_iptables_chain_policy_bytes_total',
  'counter',
  'Bytes that reached the end of a built-in chain and took its policy.',
  [...CHAIN_LABELS, 'policy'],
);
const chainRulesFamily = family('netns_iptables_chain_rules', 'gauge', 'Number of rules in a chain.', CHAIN_LABELS);
const RULE_LABELS = [...CHAIN_LABELS, 'rule', 'target', 'comment'];
const rulePacketsFamily = family(
  'netns_iptables_rule_packets_total',
  'counter',
  'Packets matched by a rule; `rule` is its 1-based position in the chain.',
  RULE_LABELS,
);
const ruleBytesFamily = family(
  'netns_iptables_rule_bytes_total',
  'counter',
  'Bytes matched by a rule; `rule` is its 1-based position in the chain.',
  RULE_LABELS,
);

type TableSource = (typeof TABLE_SOURCES)[number];

/** Table parsers by the format the reader returned (exec: iptables-save text; native: netlink). */
const tablesParsers: Partial<Record<RawFormat, (data: Buffer, family: TableSource['family']) => ParseResult<IptablesTable[]>>> = {
  'iptables-save': (data) => parseIptablesSave(data.toString('utf8')),
  // the native reader's nft reading holds every family: each source takes its own
  nfnetlink: (data, family) => parseNftablesRuleset(data, { family }),
  'xt-entries': parseXtablesEntries,
};

/** Binary formats: where their counters are beyond what the records say, and how those bytes are ordered. */
const BINARY_COUNTERS: Partial<Record<RawFormat, { bigEndian: boolean; otherVolatile: (data: Buffer) => [number, number][] }>> = {
  nfnetlink: {
    bigEndian: true,
    // counters of every family and chain, also those no source reports, and each message's seq/pid
    otherVolatile: (data) => {
      const counters = nftablesCounterRanges(data);
      return [...(counters.ok ? counters.value : []), ...netlinkHeaderRanges(data)];
    },
  },
  'xt-entries': { bigEndian: endianness() === 'BE', otherVolatile: () => [] },
};

/** A value source of one series: a constant from the parse, or a counter at a byte offset. */
const CONSTANT = -1;

/** The series one reading gave for one family, ready to be refilled from a reading of the same shape. */
interface SeriesTemplate {
  readonly family: MetricFamily;
  readonly labels: LabelRows;
  /** A plain array: fill() copies it for each scrape's values (see there). */
  readonly constants: readonly number[];
  /** Byte offset of each series' counter, or CONSTANT. */
  readonly offsets: Float64Array;
}

/** What one reading (say nft, both families, or legacy IPv4) gave last scrape, kept in the collector's memo. */
interface ReadingMemo {
  readonly format: RawFormat;
  /** Undefined when the format has no fixed counter offsets (iptables-save text): always parsed. */
  readonly shape?: KeptShape;
  readonly bigEndian: boolean;
  /** The requests this reading answered, comma-separated: a memo only stands for the same ones. */
  readonly requests: string;
  readonly templates: readonly SeriesTemplate[];
}

/** Keyed by the first request a reading answered. */
type IptablesMemo = ReadonlyMap<ReadRequest, ReadingMemo>;

export const iptablesCollector: Collector = {
  name: 'iptables',
  description: 'iptables/ip6tables chains and rules with counters (nf_tables and legacy)',
  defaultEnabled: true,
  families: [policyPacketsFamily, policyBytesFamily, chainRulesFamily, rulePacketsFamily, ruleBytesFamily],
  requests: () => TABLE_SOURCES.map((source) => source.request),
  collect(ns, readings, options, memo) {
    const previous = memo instanceof Map ? (memo as IptablesMemo) : undefined;
    const kept = new Map<ReadRequest, ReadingMemo>();
    const series: SeriesGroup[] = [];
    const failures: ReaderError[] = [];
    // one reading may answer several sources (the native reader's one nft dump for both families)
    const sourcesByData = new Map<Buffer, { format: RawFormat; sources: TableSource[] }>();
    for (const source of TABLE_SOURCES) {
      const reading = readings.get(source.request);
      if (reading === undefined) {
        failures.push({ kind: 'tool-failed', detail: `${source.request}: not read` });
      } else if (!reading.ok) {
        if (reading.error.kind !== 'not-present') failures.push(reading.error);
      } else {
        const shared = sourcesByData.get(reading.data);
        if (shared) shared.sources.push(source);
        else sourcesByData.set(reading.data, { format: reading.format, sources: [source] });
      }
    }
    for (const [data, { format, sources }] of sourcesByData) {
      const key = (sources[0] as TableSource).request;
      const requests = sources.map((source) => source.request).join(',');
      const last = previous?.get(key);
      let current: ReadingMemo | undefined;
      if (last !== undefined && last.format === format && last.requests === requests && sameKeptShape(last.shape, data)) {
        current = last;
      } else {
        current = parseReadingTables(ns.name, format, data, sources, options, last, failures);
      }
      if (current === undefined) continue;
      kept.set(key, current);
      const view = viewOf(data);
      for (const template of current.templates) series.push(fill(template, view, current.bigEndian));
    }
    return { series, failures, memo: kept };
  },
};

/** Parses a reading for each source it answers; sources that fail to parse are left out, with a failure. */
function parseReadingTables(
  netns: string,
  format: RawFormat,
  data: Buffer,
  sources: readonly TableSource[],
  options: CollectorOptions,
  last: ReadingMemo | undefined,
  failures: ReaderError[],
): ReadingMemo | undefined {
  const parse = tablesParsers[format];
  if (parse === undefined) {
    for (const source of sources) failures.push({ kind: 'parse', detail: `${source.request}: no parser for format ${format}` });
    return undefined;
  }
  const parsedSources: { source: TableSource; tables: readonly IptablesTable[] }[] = [];
  for (const source of sources) {
    const tables = parse(data, source.family);
    if (tables.ok) parsedSources.push({ source, tables: tables.value });
    else failures.push({ kind: 'parse', detail: `${source.request}: ${tables.error.detail}` });
  }
  if (parsedSources.length === 0) return undefined;
  const binary = parsedSources.length === sources.length ? BINARY_COUNTERS[format] : undefined;
  return readingMemo(format, data, netns, parsedSources, options, last, binary);
}

/** This scrape's values of a template: constants as they were, counters read from this reading. */
function fill(template: SeriesTemplate, data: DataView, bigEndian: boolean): SeriesGroup {
  const { offsets } = template;
  // A copy of the constants with the counters read over them: a plain array, because a new
  // Float64Array of this size has its bytes outside the heap and cost about 1.5 µs to make, against
  // 0.2-0.35 µs for the copy and the reads (five a namespace, 5,000 a scrape at 1,000 routers).
  const values = template.constants.slice();
  for (let i = 0; i < offsets.length; i++) {
    const offset = offsets[i] as number;
    if (offset !== CONSTANT) values[i] = readCounter(data, offset, bigEndian);
  }
  return { family: template.family, labels: template.labels, values };
}

/** Series rows of one family as they are gathered from the parsed tables. */
class TemplateDraft {
  readonly rows: (readonly string[])[] = [];
  readonly constants: number[] = [];
  readonly offsets: number[] = [];

  constructor(readonly family: MetricFamily) {}

  add(labels: readonly string[], value: number, offset: number | undefined): void {
    this.rows.push(labels);
    this.constants.push(value);
    this.offsets.push(offset ?? CONSTANT);
  }
}

function readingMemo(
  format: RawFormat,
  data: Buffer,
  netns: string,
  parsedSources: readonly { source: TableSource; tables: readonly IptablesTable[] }[],
  options: CollectorOptions,
  last: ReadingMemo | undefined,
  binary: (typeof BINARY_COUNTERS)[RawFormat],
): ReadingMemo {
  const chainRules = new TemplateDraft(chainRulesFamily);
  const policyPackets = new TemplateDraft(policyPacketsFamily);
  const policyBytes = new TemplateDraft(policyBytesFamily);
  const rulePackets = new TemplateDraft(rulePacketsFamily);
  const ruleBytes = new TemplateDraft(ruleBytesFamily);
  const counterRanges: [number, number][] = [];
  const place = (at: CounterOffsets | undefined): void => {
    if (at !== undefined) counterRanges.push([at.packets, at.packets + 8], [at.bytes, at.bytes + 8]);
  };
  // Rows are kept between scrapes (120,000 of them at 1,000 routers), so they are array literals: a
  // copy made by spreading gets spare capacity (measured: 256 bytes a row of eight labels, against 120).
  for (const { source, tables } of parsedSources) {
    const { backend, family } = source;
    for (const table of tables) {
      const tableName = intern(table.name);
      for (const chain of table.chains) {
        const chainName = intern(chain.name);
        const chainLabels = [netns, backend, family, tableName, chainName];
        chainRules.add(chainLabels, chain.rules.length, undefined);
        if (chain.builtin) {
          const policyLabels = [netns, backend, family, tableName, chainName, intern(chain.policy)];
          // a built-in chain iptables shows but the kernel does not have reads as constant zeros
          policyPackets.add(policyLabels, chain.policyPackets, chain.policyCountersAt?.packets);
          policyBytes.add(policyLabels, chain.policyBytes, chain.policyCountersAt?.bytes);
          place(chain.policyCountersAt);
        }
        for (const rule of chain.rules) place(rule.countersAt);
        if (!options.iptablesRules) continue;
        for (const rule of chain.rules) {
          const ruleLabels = [netns, backend, family, tableName, chainName, intern(String(rule.position)), intern(rule.target), intern(rule.comment)];
          rulePackets.add(ruleLabels, rule.packets, rule.countersAt?.packets);
          ruleBytes.add(ruleLabels, rule.bytes, rule.countersAt?.bytes);
        }
      }
    }
  }
  // label rows are shared between families with the same labels (policy packets and bytes, rule
  // packets and bytes), and reused from last scrape's when the same
  const lastRows = new Map(last?.templates.map((template) => [template.family, template.labels]));
  const chainRows = sameOrNewRows(lastRows.get(chainRulesFamily), chainRules.rows);
  const policyRows = sameOrNewRows(lastRows.get(policyPacketsFamily), policyPackets.rows);
  const ruleRows = sameOrNewRows(lastRows.get(rulePacketsFamily), rulePackets.rows);
  const template = (draft: TemplateDraft, labels: LabelRows): SeriesTemplate => ({
    family: draft.family,
    labels,
    constants: draft.constants.slice(), // exactly as long as it is: it is kept between scrapes
    offsets: Float64Array.from(draft.offsets),
  });
  const templates = [template(chainRules, chainRows), template(policyPackets, policyRows), template(policyBytes, policyRows)];
  if (options.iptablesRules) templates.push(template(rulePackets, ruleRows), template(ruleBytes, ruleRows));

  const requests = parsedSources.map(({ source }) => source.request).join(',');
  if (binary === undefined) return { format, bigEndian: false, requests, templates };
  const shape = keepShape(data, [...counterRanges, ...binary.otherVolatile(data)]);
  return { format, shape, bigEndian: binary.bigEndian, requests, templates };
}
