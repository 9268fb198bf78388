// An interface's attributes: what `ip -j link` (parsers/ip-link-json.ts) and an rtnetlink link dump
// (parsers/netlink/rtnetlink-links.ts) both produce.

/** The attributes of one interface that the exporter reports besides its counters. */
export interface LinkRecord {
  readonly ifindex: number;
  /** "ifname": as the kernel holds it, quotes, '$', backslashes, UTF-8 and control characters included. */
  readonly device: string;
  /** "operstate": UP, DOWN, UNKNOWN (loopback, tun), LOWERLAYERDOWN, ... */
  readonly operstate: string;
  readonly mtu: number;
  /** "address": the link-layer address; '' when the link has none (link_type none, e.g. tun). */
  readonly address: string;
  /** "link_type": ether, loopback, none, ... */
  readonly linkType: string;
  /**
   * How often the carrier went up or down since the device was made (IFLA_CARRIER_CHANGES; in
   * `ip -j -s -s link show`, "stats64"."tx"."carrier_changes"). Undefined when the input does not
   * carry it: `ip -j link` and `ip -j -s link` print it not, and the exec backend needs `-s -s`.
   */
  readonly carrierChanges?: number | undefined;
}
