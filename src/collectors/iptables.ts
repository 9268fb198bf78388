// iptables and ip6tables chains and rules with their counters, for both kernel backends: nf_tables
// (what `iptables` is on current distributions) and legacy x_tables. A namespace may use both at
// once (an old agent with iptables-legacy next to a new one), so `backend` keeps their series apart.

import { nameFilter } from '../model/config.js';
import { family } from '../model/snapshot.js';
import { iptablesLegacyIpv4Source, iptablesLegacyIpv6Source } from '../sources/iptables-legacy.js';
import { iptablesNftIpv4Source, iptablesNftIpv6Source } from '../sources/iptables-nft.js';
import { defineCollector } from './collector.js';
import { regexFlag, switchFlag } from './flag.js';

// Per-rule series are the operator's series budget: most of a router's series are rules.
export const iptablesRulesFlag = switchFlag({
  name: 'collector.iptables.rules',
  help: 'export per-rule iptables series',
  negatedHelp: 'export chains and policies only, no per-rule series (for very large rule sets)',
  default: true,
});
export const iptablesChainIncludeFlag = regexFlag(
  'iptables.chain.include',
  'per-rule series only for chains whose name matches (chains and policies are always reported)',
);
export const iptablesChainExcludeFlag = regexFlag('iptables.chain.exclude', 'no per-rule series for chains whose name matches');

interface IptablesOptions {
  /** True when the rules of a chain of this name get per-rule series (none at all with --no-collector.iptables.rules). */
  readonly ruleChains: (chain: string) => boolean;
}

const TABLE_SOURCES = [
  { source: iptablesNftIpv4Source, backend: 'nft', family: 'ipv4' },
  { source: iptablesNftIpv6Source, backend: 'nft', family: 'ipv6' },
  { source: iptablesLegacyIpv4Source, backend: 'legacy', family: 'ipv4' },
  { source: iptablesLegacyIpv6Source, backend: 'legacy', family: 'ipv6' },
] as const;

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

export const iptablesCollector = defineCollector<IptablesOptions>({
  name: 'iptables',
  description: 'iptables/ip6tables chains and rules with counters (nf_tables and legacy)',
  defaultEnabled: true,
  flags: [iptablesRulesFlag, iptablesChainIncludeFlag, iptablesChainExcludeFlag],
  options: (flag) => {
    const chains = nameFilter(flag(iptablesChainIncludeFlag), flag(iptablesChainExcludeFlag));
    return { ruleChains: flag(iptablesRulesFlag) ? chains : () => false };
  },
  families: [policyPacketsFamily, policyBytesFamily, chainRulesFamily, rulePacketsFamily, ruleBytesFamily],
  sources: () => TABLE_SOURCES.map(({ source }) => source),
  collect({ ns, options, intern }, input, out) {
    // Rows are kept between scrapes (120,000 of them at 1,000 routers), so they are array literals: a
    // copy made by spreading gets spare capacity (measured: 256 bytes a row of eight labels, against 120).
    for (const { source, backend, family } of TABLE_SOURCES) {
      for (const table of input(source) ?? []) {
        const tableName = intern(table.name);
        for (const chain of table.chains) {
          const chainName = intern(chain.name);
          out.gauge(chainRulesFamily, [ns.name, backend, family, tableName, chainName], chain.rules.length);
          if (chain.builtin) {
            const policyLabels = [ns.name, backend, family, tableName, chainName, intern(chain.policy)];
            // a built-in chain iptables shows but the kernel does not have reads as constant zeros
            out.counter(policyPacketsFamily, policyLabels, chain.policyPackets, source, chain.policyCountersAt?.packets);
            out.counter(policyBytesFamily, policyLabels, chain.policyBytes, source, chain.policyCountersAt?.bytes);
          }
          // per-rule series: the operator's series budget (--[no-]collector.iptables.rules, --iptables.chain.*)
          if (!options.ruleChains(chain.name)) continue;
          for (const rule of chain.rules) {
            const ruleLabels = [
              ns.name,
              backend,
              family,
              tableName,
              chainName,
              intern(String(rule.position)),
              intern(rule.target),
              intern(rule.comment),
            ];
            out.counter(rulePacketsFamily, ruleLabels, rule.packets, source, rule.countersAt?.packets);
            out.counter(ruleBytesFamily, ruleLabels, rule.bytes, source, rule.countersAt?.bytes);
          }
        }
      }
    }
  },
});
