// A value of /proc/net/sockstat or sockstat6 (parsers/proc-net-sockstat.ts).

/** One `key value` pair of a `PROTO:` line. */
export interface SockstatRecord {
  /** "sockets", "TCP", "UDP", "UDPLITE", "RAW", "FRAG", "TCP6", "UDP6", "UDPLITE6", "RAW6", "FRAG6", "MPTCP"... as printed. */
  readonly proto: string;
  /** "used", "inuse", "orphan", "tw", "alloc", "mem", "memory", and "mem_bytes" (computed, see parseProcNetSockstat). */
  readonly field: string;
  readonly value: number;
  /** Where the value's digits start in the text (ASCII); none for the computed mem_bytes. */
  readonly at?: number;
}
