// What iptables-nft-save / iptables-legacy-save show of a table's layout, for the netlink and
// x_tables parsers. The records themselves are src/model/records/iptables.ts, the same for every
// backend.

/** Netfilter hook numbers (enum nf_inet_hooks) and the chain names iptables gives them. */
export const HOOK_CHAIN_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;

/** A built-in chain as iptables-nft defines it (iptables/nft.c, xtables_ipv4/xtables_ipv6). */
export interface BuiltinChainSpec {
  readonly name: string;
  readonly type: 'filter' | 'nat' | 'route';
  readonly priority: number;
  readonly hook: number;
}

const PRE = 0;
const IN = 1;
const FWD = 2;
const OUT = 3;
const POST = 4;

/**
 * The tables iptables knows, in the order iptables-nft-save prints them (its table array order), with
 * their built-in chains in print order. IPv4 and IPv6 share names, chains and priorities.
 */
export const BUILTIN_TABLES: ReadonlyMap<string, readonly BuiltinChainSpec[]> = new Map([
  [
    'mangle',
    [
      { name: 'PREROUTING', type: 'filter', priority: -150, hook: PRE },
      { name: 'INPUT', type: 'filter', priority: -150, hook: IN },
      { name: 'FORWARD', type: 'filter', priority: -150, hook: FWD },
      { name: 'OUTPUT', type: 'route', priority: -150, hook: OUT },
      { name: 'POSTROUTING', type: 'filter', priority: -150, hook: POST },
    ],
  ],
  [
    'security',
    [
      { name: 'INPUT', type: 'filter', priority: 50, hook: IN },
      { name: 'FORWARD', type: 'filter', priority: 50, hook: FWD },
      { name: 'OUTPUT', type: 'filter', priority: 50, hook: OUT },
    ],
  ],
  [
    'raw',
    [
      { name: 'PREROUTING', type: 'filter', priority: -300, hook: PRE },
      { name: 'OUTPUT', type: 'filter', priority: -300, hook: OUT },
    ],
  ],
  [
    'filter',
    [
      { name: 'INPUT', type: 'filter', priority: 0, hook: IN },
      { name: 'FORWARD', type: 'filter', priority: 0, hook: FWD },
      { name: 'OUTPUT', type: 'filter', priority: 0, hook: OUT },
    ],
  ],
  [
    'nat',
    [
      { name: 'PREROUTING', type: 'nat', priority: -100, hook: PRE },
      { name: 'INPUT', type: 'nat', priority: 100, hook: IN },
      { name: 'OUTPUT', type: 'nat', priority: -100, hook: OUT },
      { name: 'POSTROUTING', type: 'nat', priority: 100, hook: POST },
    ],
  ],
]);

/** User chains are printed sorted by strcmp, i.e. by UTF-8 bytes (not UTF-16 code units). */
export function compareChainNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
