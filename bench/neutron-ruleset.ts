// The iptables and ip6tables rule sets of one bench router, shaped like what a Neutron L3 agent
// installs in a qrouter namespace (chain names, jumps, marks, SNAT/DNAT for a floating IP, the
// metadata REDIRECT), about 40 IPv4 rules across raw, mangle, nat and filter and a few IPv6 ones.
// Fed to iptables-restore / ip6tables-restore inside the namespace; device names and addresses are
// the router's own, so the rules see its real traffic.

export interface RouterAddressing {
  /** Gateway port (the `qg-` veth), external side. */
  readonly qg: string;
  /** Internal port (the `qr-` veth). */
  readonly qr: string;
  /** The router's gateway address (SNAT source). */
  readonly gatewayIp: string;
  /** A floating IP and the fixed IP behind it. */
  readonly floatingIp: string;
  readonly fixedIp: string;
  /** The tenant subnet behind qr-. */
  readonly tenantCidr: string;
}

export function ipv4Ruleset(r: RouterAddressing): string {
  return `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:neutron-l3-agent-OUTPUT - [0:0]
:neutron-l3-agent-PREROUTING - [0:0]
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A neutron-l3-agent-PREROUTING -i ${r.qg} -p udp -m udp --dport 4789 -m comment --comment "bench: no conntrack for tunnel traffic" -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:neutron-l3-agent-FORWARD - [0:0]
:neutron-l3-agent-INPUT - [0:0]
:neutron-l3-agent-OUTPUT - [0:0]
:neutron-l3-agent-POSTROUTING - [0:0]
:neutron-l3-agent-PREROUTING - [0:0]
:neutron-l3-agent-float-snat - [0:0]
:neutron-l3-agent-floatingip - [0:0]
:neutron-l3-agent-mark - [0:0]
:neutron-l3-agent-scope - [0:0]
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A INPUT -j neutron-l3-agent-INPUT
-A FORWARD -j neutron-l3-agent-FORWARD
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A POSTROUTING -j neutron-l3-agent-POSTROUTING
-A neutron-l3-agent-FORWARD -j neutron-l3-agent-scope
-A neutron-l3-agent-INPUT -d 127.0.0.1/32 -p tcp -m tcp --dport 9697 -j MARK --set-xmark 0x1/0xffff
-A neutron-l3-agent-PREROUTING -j neutron-l3-agent-mark
-A neutron-l3-agent-PREROUTING -j neutron-l3-agent-scope
-A neutron-l3-agent-PREROUTING -m connmark ! --mark 0x0/0xffff0000 -j CONNMARK --restore-mark --nfmask 0xffff0000 --ctmask 0xffff0000
-A neutron-l3-agent-PREROUTING -j neutron-l3-agent-floatingip
-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x1/0xffff
-A neutron-l3-agent-float-snat -m connmark --mark 0x0/0xffff0000 -j CONNMARK --save-mark --nfmask 0xffff0000 --ctmask 0xffff0000
-A neutron-l3-agent-mark -i ${r.qg} -j MARK --set-xmark 0x2/0xffff
-A neutron-l3-agent-scope -i ${r.qr} -j MARK --set-xmark 0x4000000/0xffff0000
-A neutron-l3-agent-scope -i ${r.qg} -j MARK --set-xmark 0x4000000/0xffff0000
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:neutron-l3-agent-OUTPUT - [0:0]
:neutron-l3-agent-POSTROUTING - [0:0]
:neutron-l3-agent-PREROUTING - [0:0]
:neutron-l3-agent-float-snat - [0:0]
:neutron-l3-agent-snat - [0:0]
:neutron-postrouting-bottom - [0:0]
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A POSTROUTING -j neutron-l3-agent-POSTROUTING
-A POSTROUTING -j neutron-postrouting-bottom
-A neutron-l3-agent-OUTPUT -d ${r.floatingIp}/32 -j DNAT --to-destination ${r.fixedIp}
-A neutron-l3-agent-POSTROUTING ! -i ${r.qg} ! -o ${r.qg} -m conntrack ! --ctstate DNAT -j ACCEPT
-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697
-A neutron-l3-agent-PREROUTING -d ${r.floatingIp}/32 -i ${r.qg} -j DNAT --to-destination ${r.fixedIp}
-A neutron-l3-agent-float-snat -s ${r.fixedIp}/32 -j SNAT --to-source ${r.floatingIp} --random-fully
-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat
-A neutron-l3-agent-snat -o ${r.qg} -j SNAT --to-source ${r.gatewayIp} --random-fully
-A neutron-l3-agent-snat -m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source ${r.gatewayIp} --random-fully
-A neutron-l3-agent-snat -s ${r.tenantCidr} -o ${r.qr} -m comment --comment "bench: hairpin" -j MASQUERADE
-A neutron-postrouting-bottom -m comment --comment "Perform source NAT on outgoing traffic." -j neutron-l3-agent-snat
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:neutron-filter-top - [0:0]
:neutron-l3-agent-FORWARD - [0:0]
:neutron-l3-agent-INPUT - [0:0]
:neutron-l3-agent-OUTPUT - [0:0]
:neutron-l3-agent-local - [0:0]
:neutron-l3-agent-scope - [0:0]
-A INPUT -j neutron-l3-agent-INPUT
-A FORWARD -j neutron-filter-top
-A FORWARD -j neutron-l3-agent-FORWARD
-A OUTPUT -j neutron-filter-top
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A neutron-filter-top -j neutron-l3-agent-local
-A neutron-l3-agent-FORWARD -j neutron-l3-agent-scope
-A neutron-l3-agent-INPUT -m mark --mark 0x1/0xffff -j ACCEPT
-A neutron-l3-agent-INPUT -p tcp -m tcp --dport 9697 -j DROP
-A neutron-l3-agent-INPUT -i ${r.qg} -p udp -m udp --dport 33333 -m comment --comment "bench: probe port" -j REJECT --reject-with icmp-port-unreachable
-A neutron-l3-agent-INPUT -i ${r.qg} -p icmp -j ACCEPT
-A neutron-l3-agent-scope -o ${r.qr} -m mark ! --mark 0x4000000/0xffff0000 -j DROP
-A neutron-l3-agent-OUTPUT -o ${r.qg} -p udp -m comment --comment "bench: replies" -j ACCEPT
COMMIT
`;
}

export function ipv6Ruleset(r: RouterAddressing): string {
  return `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:neutron-filter-top - [0:0]
:neutron-l3-agent-FORWARD - [0:0]
:neutron-l3-agent-INPUT - [0:0]
:neutron-l3-agent-scope - [0:0]
-A INPUT -j neutron-l3-agent-INPUT
-A FORWARD -j neutron-filter-top
-A FORWARD -j neutron-l3-agent-FORWARD
-A neutron-l3-agent-FORWARD -j neutron-l3-agent-scope
-A neutron-l3-agent-INPUT -p ipv6-icmp -j ACCEPT
-A neutron-l3-agent-INPUT -p tcp -m tcp --dport 9697 -j DROP
-A neutron-l3-agent-scope -o ${r.qr} -m mark ! --mark 0x4000000/0xffff0000 -m comment --comment "bench: v6 scope" -j DROP
COMMIT
`;
}
