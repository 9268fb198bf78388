// Traffic control inside a namespace: qdiscs with their counters, and the actions of ingress filters
// (Neutron QoS polices a floating IP or gateway there). Filled by parsers/tc-json.ts (`tc -s -j`)
// and parsers/netlink/rtnetlink-tc.ts (RTM_GETQDISC and RTM_GETTFILTER dumps).

/** One qdisc of one device, as `tc -s qdisc show` lists it (default qdiscs of multiqueue devices stay hidden, as there). */
export interface QdiscRecord {
  readonly device: string;
  /** htb, tbf, ingress, noqueue, pfifo_fast, ... */
  readonly kind: string;
  /** As tc prints it: `1:`, `ffff:`, `0:`. */
  readonly handle: string;
  /** `root`, a class id as tc prints it (`1:10`, `ffff:fff1`), or '' when the kernel gives none. */
  readonly parent: string;
  readonly bytes: number;
  readonly packets: number;
  readonly drops: number;
  readonly requeues: number;
  readonly overlimits: number;
  /** Bytes queued now. */
  readonly backlog: number;
  /** Packets queued now. */
  readonly qlen: number;
}

/** One action of one filter on a device's ingress hook (police, mirred, ...), with its counters. */
export interface TcActionRecord {
  readonly device: string;
  /** The filter's parent as tc prints it (`ffff:` for an ingress qdisc). */
  readonly parent: string;
  /** The filter's preference (priority), which with the parent and handle identifies it. */
  readonly pref: number;
  /** The classifier: u32, matchall, bpf, flower, ... */
  readonly filterKind: string;
  /** The filter handle as tc prints it: `800::800` for u32, `0x1` for the others. */
  readonly handle: string;
  /** The action kind: police, mirred, gact, ... */
  readonly action: string;
  /** The action's place in the filter's action list (1, 2, ...). */
  readonly order: number;
  readonly bytes: number;
  readonly packets: number;
  readonly drops: number;
  readonly overlimits: number;
}

export interface TcTable {
  readonly qdiscs: readonly QdiscRecord[];
  readonly actions: readonly TcActionRecord[];
}
