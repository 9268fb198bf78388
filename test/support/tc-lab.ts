// A router namespace with the traffic control Neutron QoS sets up, as far as this kernel allows: an
// htb root on qg- (one class, a bfifo leaf), an ingress qdisc with u32 filters, and a tbf on the
// peer's end. The kernel here has no act_police, so mirred stands in for police: its counters are
// the same TCA_ACT_STATS; a redirect to a device that is down counts an overlimit per packet.

import type { NetnsLab } from './netns-lab.js';

/** One action of an ingress filter: `action mirred egress <how> dev <to>`. */
export type MirredAction = readonly ['mirror' | 'redirect', string];

/**
 * argv of `tc filter add dev <dev> parent ffff: protocol <protocol> [prio <prio>] u32 match <match...>`
 * followed by one mirred action per entry of `actions`: Neutron's ingress filter form, with mirred
 * in place of police.
 */
export function ingressMirredFilter(
  dev: string,
  protocol: string,
  prio: number | undefined,
  match: readonly string[],
  actions: readonly MirredAction[],
): string[] {
  return [
    ...['tc', 'filter', 'add', 'dev', dev, 'parent', 'ffff:', 'protocol', protocol],
    ...(prio === undefined ? [] : ['prio', String(prio)]),
    ...['u32', 'match', ...match],
    ...actions.flatMap(([how, to]) => ['action', 'mirred', 'egress', how, 'dev', to]),
  ];
}

export interface TcRouter {
  readonly router: string;
  readonly peer: string;
}

/** `net`: the first two octets of the /24s used (`10.81` gives 10.81.0.0/24). */
export async function buildTcRouter(lab: NetnsLab, net: string): Promise<TcRouter> {
  const router = await lab.addNeutronNamespace('qrouter', 'tc');
  const peer = await lab.addNamespace('ext');
  await lab.vethPair({ ns: router, dev: 'qg-tc', cidr: `${net}.0.1/24` }, { ns: peer, dev: 'ext-tc', cidr: `${net}.0.2/24` });
  await lab.vethPair({ ns: router, dev: 'm-up', cidr: `${net}.1.1/24` }, { ns: peer, dev: 'm-peer', cidr: `${net}.1.2/24` });
  const r = (args: string[]) => lab.run(router, args);
  // permanent neighbours both ways: no ARP probe moves a counter between two reads
  const mac = async (ns: string, dev: string) =>
    (JSON.parse(await lab.run(ns, ['ip', '-j', 'link', 'show', 'dev', dev])) as { address: string }[])[0]?.address ?? '';
  await r(['ip', 'neigh', 'replace', `${net}.0.2`, 'lladdr', await mac(peer, 'ext-tc'), 'dev', 'qg-tc', 'nud', 'permanent']);
  await lab.run(peer, ['ip', 'neigh', 'replace', `${net}.0.1`, 'lladdr', await mac(router, 'qg-tc'), 'dev', 'ext-tc', 'nud', 'permanent']);
  await r(['ip', 'link', 'add', 'm-down', 'type', 'veth', 'peer', 'name', 'm-down2']);
  await r(['tc', 'qdisc', 'add', 'dev', 'qg-tc', 'root', 'handle', '1:', 'htb', 'default', '10']);
  await r(['tc', 'class', 'add', 'dev', 'qg-tc', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10mbit']);
  await r(['tc', 'qdisc', 'add', 'dev', 'qg-tc', 'parent', '1:10', 'handle', '10:', 'bfifo', 'limit', '100kb']);
  await r(['tc', 'qdisc', 'add', 'dev', 'qg-tc', 'ingress']);
  // Neutron's form, with mirred in place of police: parent ffff:, protocol all, u32 match u32 0 0
  await r(ingressMirredFilter('qg-tc', 'ip', 5, ['ip', 'dport', '9', '0xffff'], [['mirror', 'm-up']]));
  await r(ingressMirredFilter('qg-tc', 'ip', 7, ['ip', 'dport', '7', '0xffff'], [['redirect', 'm-down']]));
  await r(
    ingressMirredFilter(
      'qg-tc',
      'ip',
      6,
      ['ip', 'dport', '6', '0xffff'],
      [
        ['mirror', 'm-up'],
        ['redirect', 'm-down'],
      ],
    ),
  );
  // last, and dropping nothing: ARP has to pass for the UDP to be sent at all
  await r(ingressMirredFilter('qg-tc', 'all', undefined, ['u32', '0', '0'], [['mirror', 'm-up']]));
  await lab.run(peer, ['tc', 'qdisc', 'add', 'dev', 'ext-tc', 'root', 'tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '400ms']);
  return { router, peer };
}
