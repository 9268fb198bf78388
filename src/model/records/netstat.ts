// A counter of /proc/net/snmp, netstat or snmp6 (parsers/proc-net-snmp.ts).

/** One counter (or, for Ip_Forwarding, Ip_DefaultTTL and Tcp_*Rto*, Tcp_MaxConn, a setting). */
export interface NetstatRecord {
  /** "Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite", "TcpExt", "IpExt", "MPTcpExt", "Ip6", "Icmp6", "Udp6", "UdpLite6". */
  readonly proto: string;
  /** The kernel's field name as printed: "InDiscards", "ListenDrops", "InType3", ... */
  readonly field: string;
  /**
   * The value as node_exporter reads it (strconv.ParseFloat): exact up to 2^53. Signed: Tcp MaxConn
   * is -1 (no limit, net/ipv4/proc.c snmp_seq_show_tcp_udp prints it with %ld).
   */
  readonly value: number;
  /** Where the value's digits start in the text (ASCII: characters are bytes), for rereading it in place. */
  readonly at: number;
}
