// The link record both backends produce. The text path (src/parsers/ip-link-json.ts, `ip -j link`)
// declares the same shape; until the two are unified this file declares it for the netlink parser,
// and test/native/model-types.test.ts keeps the two declarations identical.

export interface LinkRecord {
  readonly ifindex: number;
  readonly device: string;
  /** As `ip` prints it: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, NOTPRESENT, TESTING, DORMANT. */
  readonly operstate: string;
  readonly mtu: number;
  /** Lower-case aa:bb:.. (dotted quad for IPv4 tunnels, as `ip` prints), or '' when the link has none. */
  readonly address: string;
  /** `ip`'s name for the ARPHRD type: ether, loopback, none, ipip, gre, ... */
  readonly linkType: string;
}
