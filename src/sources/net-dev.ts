// Interface counters: the 16 columns of /proc/net/dev. exec: the file; native: the link dump's
// IFLA_STATS64, summed into the same columns (parsers/netlink/rtnetlink-links.ts).

import type { NetDevRecord } from '../model/records/net-dev.js';
import { parseRtnetlinkCounters } from '../parsers/netlink/rtnetlink-links.js';
import { parsed } from '../parsers/parse-result.js';
import { parseProcNetDev } from '../parsers/proc-net-dev.js';
import { LINK_DUMP, LINK_DUMP_LAYOUT } from './link-dump.js';
import { defineSource } from './source.js';

export interface NetDevTable {
  readonly rows: readonly NetDevRecord[];
  /** Native only: where each row's IFLA_STATS64 is in the dump (counter kind = column). */
  readonly at?: readonly number[];
}

export const netDevSource = defineSource<NetDevTable>({
  name: 'net-dev',
  exec: {
    read: { kind: 'file', path: '/proc/net/dev' },
    parse: (data) => {
      const rows = parseProcNetDev(data.toString('utf8'));
      return rows.ok ? parsed({ rows: rows.value }) : rows;
    },
  },
  native: {
    read: LINK_DUMP,
    parse: (data) => {
      const dump = parseRtnetlinkCounters(data);
      return dump.ok ? parsed({ rows: dump.value.counters, at: dump.value.countersAt }) : dump;
    },
    layout: LINK_DUMP_LAYOUT,
  },
});
