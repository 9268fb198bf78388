// iptables and ip6tables rules on the nf_tables backend (what `iptables` is on current distributions).
// exec: iptables-nft-save -c and ip6tables-nft-save -c; native: one set of table, chain and rule
// dumps of every family at once (NFPROTO_UNSPEC), from which each source takes its own family.

import type { IptablesTable } from '../model/records/iptables.js';
import { netlinkHeaderRanges, readCounter } from '../parsers/binary-counters.js';
import { parseIptablesSave } from '../parsers/iptables-save.js';
import { nftablesCounterRanges, parseNftablesRuleset } from '../parsers/netlink/nftables-ruleset.js';
import { NETLINK_NETFILTER, nftRulesetDumpRequests } from './netlink-requests.js';
import { defineSource, type NativeRead, type BinaryLayout } from './source.js';

const NFT_DUMPS: NativeRead = { kind: 'netlink', protocol: NETLINK_NETFILTER, messages: nftRulesetDumpRequests() };

const NFT_LAYOUT: BinaryLayout<unknown> = {
  kind: 'binary',
  // counters of every family and chain, also those no source reports, and each message's seq/pid
  volatileRanges: (data) => {
    const counters = nftablesCounterRanges(data);
    return [...(counters.ok ? counters.value : []), ...netlinkHeaderRanges(data)];
  },
  // nf_tables counters are big-endian u64 (NFTA_COUNTER_PACKETS/BYTES)
  readCounter: (view, at) => readCounter(view, at, true),
};

// EPROTONOSUPPORT: no nfnetlink; EOPNOTSUPP: nfnetlink without nf_tables
const NFT_ABSENT = ['EPROTONOSUPPORT', 'EOPNOTSUPP'];

function nftSource(family: 'ipv4' | 'ipv6', saveTool: string) {
  return defineSource<readonly IptablesTable[]>({
    name: `iptables-nft-${family}`,
    exec: {
      read: { kind: 'tool', argv: [saveTool, '-c'] },
      parse: (data) => parseIptablesSave(data.toString('utf8')),
    },
    native: {
      read: NFT_DUMPS,
      absentWhen: NFT_ABSENT,
      parse: (data) => parseNftablesRuleset(data, { family }),
      layout: NFT_LAYOUT,
    },
  });
}

export const iptablesNftIpv4Source = nftSource('ipv4', 'iptables-nft-save');
export const iptablesNftIpv6Source = nftSource('ipv6', 'ip6tables-nft-save');
