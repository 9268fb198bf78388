// iptables tables, chains and rules with their counters: what `iptables-save -c` (parsers/iptables-save.ts),
// an nf_tables dump (parsers/netlink/nftables-ruleset.ts) and x_tables entries
// (parsers/netlink/xtables-entries.ts) all produce, the same records from every backend.

/**
 * Where a record's two counters sit in the bytes it was parsed from (the offset of each 64-bit
 * value), for binary inputs: a later reading with the same bytes everywhere else can have its
 * counters read there without being parsed again (see pipeline/reading-shape.ts).
 */
export interface CounterOffsets {
  readonly packets: number;
  readonly bytes: number;
}

export interface IptablesRule {
  /** 1-based position within its chain, in file order (the order the kernel evaluates). */
  readonly position: number;
  readonly packets: number;
  readonly bytes: number;
  /** Value of -j (or -g): a verdict, an extension target or a chain; '' when the rule has neither. */
  readonly target: string;
  /** True when the rule used -g (goto: no return to this chain). */
  readonly goto: boolean;
  /** Unquoted, unescaped `-m comment --comment` value; several are joined with ' '; '' when none. */
  readonly comment: string;
  /** Binary inputs only: where `packets` and `bytes` were read. */
  readonly countersAt?: CounterOffsets;
}

export interface IptablesChain {
  readonly name: string;
  /** Built-in chains have a policy; user chains print '-'. */
  readonly builtin: boolean;
  /** 'ACCEPT' | 'DROP' | ...; '' for user chains. */
  readonly policy: string;
  readonly policyPackets: number;
  readonly policyBytes: number;
  readonly rules: readonly IptablesRule[];
  /** Binary inputs only: where `policyPackets` and `policyBytes` were read. */
  readonly policyCountersAt?: CounterOffsets;
}

export interface IptablesTable {
  readonly name: string;
  readonly chains: readonly IptablesChain[];
}
