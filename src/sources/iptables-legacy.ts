// iptables and ip6tables rules on the legacy x_tables backend. exec: iptables-legacy-save -c where
// the family's names file lists a table; native: the addon's copy of every table's entries
// (IPT_SO_GET_INFO / GET_ENTRIES on a raw socket inside the namespace).

import { endianness } from 'node:os';
import type { CounterOffsets, IptablesTable } from '../model/records/iptables.js';
import { readCounter } from '../parsers/binary-counters.js';
import { parseIptablesSave } from '../parsers/iptables-save.js';
import { parseXtablesEntries, xtablesHasNoTables } from '../parsers/netlink/xtables-entries.js';
import { defineSource, type BinaryLayout } from './source.js';

const BIG_ENDIAN_HOST = endianness() === 'BE';

/** x_tables counters are host-order u64s at the offsets the parse found; nothing else moves. */
const XTABLES_LAYOUT: BinaryLayout<readonly IptablesTable[]> = {
  kind: 'binary',
  volatileRanges: (_data, tables) => {
    const ranges: [number, number][] = [];
    const place = (at: CounterOffsets | undefined): void => {
      if (at !== undefined) ranges.push([at.packets, at.packets + 8], [at.bytes, at.bytes + 8]);
    };
    for (const table of tables) {
      for (const chain of table.chains) {
        place(chain.policyCountersAt);
        for (const rule of chain.rules) place(rule.countersAt);
      }
    }
    return ranges;
  },
  readCounter: (view, at) => readCounter(view, at, BIG_ENDIAN_HOST),
};

function legacySource(family: 4 | 6, saveTool: string, namesFile: string) {
  return defineSource<readonly IptablesTable[]>({
    name: `iptables-legacy-ipv${family}`,
    exec: {
      read: { kind: 'tool', argv: [saveTool, '-c'], onlyIfTablesIn: namesFile },
      parse: (data) => parseIptablesSave(data.toString('utf8')),
    },
    native: {
      read: { kind: 'xtables', family },
      // ENOENT: ip_tables is not loaded at all; no table listed: loaded, but not used in this namespace
      absentWhen: ['ENOENT'],
      emptyWhen: xtablesHasNoTables,
      parse: parseXtablesEntries,
      layout: XTABLES_LAYOUT,
    },
  });
}

export const iptablesLegacyIpv4Source = legacySource(4, 'iptables-legacy-save', '/proc/net/ip_tables_names');
export const iptablesLegacyIpv6Source = legacySource(6, 'ip6tables-legacy-save', '/proc/net/ip6_tables_names');
