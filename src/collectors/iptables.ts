// iptables and ip6tables chains and rules with their counters, for both kernel backends: nf_tables
// (what `iptables` is on current distributions) and legacy x_tables. A namespace may use both at
// once (an old agent with iptables-legacy next to a new one), so `backend` keeps their series apart.

import { parseIptablesSave, type IptablesTable } from '../parsers/iptables-save.js';
import { parseNftablesRuleset } from '../parsers/netlink/nftables-ruleset.js';
import { parseXtablesEntries } from '../parsers/netlink/xtables-entries.js';
import type { ReaderError, ReadRequest } from '../readers/reader.js';
import type { Sample } from '../snapshot/model.js';
import { family, type Collector, type CollectorOptions } from './collector.js';
import { parseReading, type ParsersByFormat } from './reading.js';

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

/** Table parsers by the format the reader returned (exec: iptables-save text; native: netlink). */
const tablesParsers: ParsersByFormat<IptablesTable[]> = {
  'iptables-save': (data) => parseIptablesSave(data.toString('utf8')),
  nfnetlink: (data) => parseNftablesRuleset(data),
  'xt-entries': parseXtablesEntries,
};

export const iptablesCollector: Collector = {
  name: 'iptables',
  description: 'iptables/ip6tables chains and rules with counters (nf_tables and legacy)',
  defaultEnabled: true,
  families: [policyPacketsFamily, policyBytesFamily, chainRulesFamily, rulePacketsFamily, ruleBytesFamily],
  requests: () => TABLE_SOURCES.map((source) => source.request),
  collect(ns, readings, options) {
    const samples: Sample[] = [];
    const failures: ReaderError[] = [];
    for (const source of TABLE_SOURCES) {
      const reading = readings.get(source.request);
      if (reading === undefined) {
        failures.push({ kind: 'tool-failed', detail: `${source.request}: not read` });
        continue;
      }
      if (!reading.ok) {
        if (reading.error.kind !== 'not-present') failures.push(reading.error);
        continue;
      }
      const tables = parseReading(reading, tablesParsers);
      if (!tables.ok) {
        failures.push({ kind: 'parse', detail: `${source.request}: ${tables.error.detail}` });
        continue;
      }
      pushTableSamples(samples, [ns.name, source.backend, source.family], tables.value, options);
    }
    return { samples, failures };
  },
};

function pushTableSamples(
  samples: Sample[],
  prefix: readonly [netns: string, backend: string, family: string],
  tables: readonly IptablesTable[],
  options: CollectorOptions,
): void {
  for (const table of tables) {
    for (const chain of table.chains) {
      const chainLabels = [...prefix, table.name, chain.name];
      samples.push({ family: chainRulesFamily, labelValues: chainLabels, value: chain.rules.length });
      if (chain.builtin) {
        const policyLabels = [...chainLabels, chain.policy];
        samples.push({ family: policyPacketsFamily, labelValues: policyLabels, value: chain.policyPackets });
        samples.push({ family: policyBytesFamily, labelValues: policyLabels, value: chain.policyBytes });
      }
      if (!options.iptablesRules) continue;
      for (const rule of chain.rules) {
        const ruleLabels = [...chainLabels, String(rule.position), rule.target, rule.comment];
        samples.push({ family: rulePacketsFamily, labelValues: ruleLabels, value: rule.packets });
        samples.push({ family: ruleBytesFamily, labelValues: ruleLabels, value: rule.bytes });
      }
    }
  }
}
