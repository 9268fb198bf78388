// The native and exec backends must give the same series, labels and values for the same quiet
// namespaces: nft and legacy, IPv4 and IPv6, comments, user chains, and the NAT/REJECT/LOG/MARK
// family of targets. Only what moves between two reads on its own (conntrack entries, scrape
// timings) is left out of the comparison.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { builtMain } from '../support/built.js';
import { parseExposition, type ParsedSeries } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { ingressMirredFilter } from '../support/tc-lab.js';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MOVING = /^(netns_nf_conntrack_entries$|netns_scrape_|process_|nodejs_|netns_exporter_build_info$)/;

function key(series: ParsedSeries): string {
  const labels = Object.entries(series.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${series.name}{${labels}} ${series.value}`;
}

describe.skipIf(skipUnlessRoot('backend parity tests'))('native and exec backends agree', () => {
  let lab: NetnsLab;
  let include: string;

  beforeAll(async () => {
    const addon = loadNativeAddon();
    if (!addon.ok) throw new Error(`the native addon must be built for this test (npm ci builds it): ${addon.reason}`);
    lab = await createNetnsLab('parity');
    const router = await lab.addNeutronNamespace('qrouter', 'r1');
    const dhcp = await lab.addNeutronNamespace('qdhcp', 'n1');
    const legacy = await lab.addNamespace('legacy');
    const held = await lab.holdUnnamedNamespace();
    include = `${escapeRegex(lab.prefix)}|^net:\\[${held.inode}\\]$`;
    await lab.vethPair({ ns: dhcp, dev: 'tap-n1', cidr: '10.71.0.2/24' }, { ns: router, dev: 'qr-n1', cidr: '10.71.0.1/24' });
    await lab.vethPair(
      { ns: router, dev: 'qg-x', cidr: '10.72.0.1/24', cidr6: 'fd00:72::1/64' },
      { ns: legacy, dev: 'ext-x', cidr: '10.72.0.2/24', cidr6: 'fd00:72::2/64' },
    );
    const r = (argv: string[]) => lab.run(router, argv);
    await r(['iptables', '-N', 'neutron-l3-agent-INPUT']);
    await r(['iptables', '-A', 'INPUT', '-j', 'neutron-l3-agent-INPUT']);
    await r([
      'iptables',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'udp',
      '--dport',
      '9',
      '-m',
      'comment',
      '--comment',
      'say "hi" \\ ü',
      '-j',
      'DROP',
    ]);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'tcp', '--dport', '22', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '-j', 'LOG', '--log-prefix', 'x ']);
    await r(['iptables', '-N', 'neutron-l3-agent-INPUT-2']);
    await r(['iptables', '-A', 'neutron-l3-agent-INPUT', '-g', 'neutron-l3-agent-INPUT-2']);
    await r(['iptables', '-t', 'mangle', '-A', 'PREROUTING', '-i', 'qr-n1', '-j', 'MARK', '--set-xmark', '0x1/0xffff']);
    await r(['iptables', '-t', 'mangle', '-A', 'PREROUTING', '-j', 'CONNMARK', '--save-mark']);
    await r([
      'iptables',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-o',
      'qg-x',
      '-m',
      'comment',
      '--comment',
      'snat',
      '-j',
      'SNAT',
      '--to-source',
      '10.72.0.1',
    ]);
    await r(['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'qr-n1', '-j', 'MASQUERADE']);
    await r(['iptables', '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '80', '-j', 'REDIRECT', '--to-ports', '8080']);
    await r(['iptables', '-t', 'nat', '-A', 'PREROUTING', '-d', '10.72.0.100', '-j', 'DNAT', '--to-destination', '10.71.0.2']);
    await r(['iptables', '-t', 'raw', '-A', 'PREROUTING', '-j', 'CT', '--notrack']);
    await r(['ip6tables', '-A', 'INPUT', '-p', 'udp', '--dport', '6666', '-m', 'comment', '--comment', 'v6', '-j', 'ACCEPT']);
    await r(['ip6tables', '-A', 'FORWARD', '-j', 'REJECT']);
    await r(['iptables-legacy', '-A', 'INPUT', '-p', 'udp', '-m', 'comment', '--comment', 'legacy in router', '-j', 'ACCEPT']);
    await r(['ip6tables-legacy', '-A', 'OUTPUT', '-j', 'ACCEPT']);
    await lab.run(legacy, ['iptables-legacy', '-N', 'user-chain']);
    await lab.run(legacy, ['iptables-legacy', '-A', 'OUTPUT', '-j', 'user-chain']);
    await lab.run(legacy, [
      'iptables-legacy',
      '-A',
      'user-chain',
      '-p',
      'udp',
      '-m',
      'comment',
      '--comment',
      'legacy "quoted"',
      '-j',
      'RETURN',
    ]);
    await lab.run(legacy, ['iptables-legacy', '-t', 'nat', '-A', 'POSTROUTING', '-j', 'MASQUERADE']);
    // traffic control (the tc collector): a tbf on the gateway port, an ingress u32 filter with an action
    await r(['tc', 'qdisc', 'add', 'dev', 'qg-x', 'root', 'handle', '1:', 'tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '400ms']);
    await r(['tc', 'qdisc', 'add', 'dev', 'qg-x', 'ingress']);
    await r(ingressMirredFilter('qg-x', 'ip', 3, ['ip', 'dport', '7', '0xffff'], [['mirror', 'qr-n1']]));
    await lab.sendUdp(dhcp, '10.71.0.1', 9, 4);
    await lab.sendUdp(legacy, '10.72.0.1', 7, 3);
    await lab.sendUdp(legacy, 'fd00:72::1', 6666, 2);
    // Quiet before comparing: no traffic is sent from here on.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  afterAll(async () => {
    await lab?.cleanup();
  });

  async function scrape(backend: 'exec' | 'native'): Promise<string[]> {
    const { stdout } = await execa('node', [
      builtMain,
      '--once',
      `--collector.backend=${backend}`,
      '--collector.tc',
      `--netns.include=${include}`,
    ]);
    return parseExposition(stdout)
      .filter((series) => !MOVING.test(series.name))
      .map(key)
      .sort();
  }

  test('same series, labels and values', async () => {
    // Native is read between two exec reads. Counters only grow, so when the two exec reads agree
    // nothing moved in between and native must equal them exactly. They can disagree when the kernel
    // itself sends (an ARP or neighbour probe some seconds after the test traffic): then wait and
    // take another quiet window rather than loosen the comparison.
    let exec: string[];
    let native: string[];
    for (let attempt = 1; ; attempt++) {
      exec = await scrape('exec');
      native = await scrape('native');
      const execAgain = await scrape('exec');
      if (execAgain.join('\n') === exec.join('\n')) break;
      if (attempt === 5) expect(execAgain, 'counters never stayed still across three scrapes').toEqual(exec);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    expect(native).toEqual(exec);
    expect(exec.filter((line) => line.startsWith('netns_iptables_rule_packets_total')).length).toBeGreaterThan(15);
    for (const target of ['SNAT', 'DNAT', 'MASQUERADE', 'REDIRECT', 'REJECT', 'LOG', 'MARK', 'CONNMARK', 'CT', 'DROP', 'RETURN']) {
      expect(
        exec.some((line) => line.includes(`target="${target}"`)),
        target,
      ).toBe(true);
    }
    expect(exec.some((line) => line.includes('backend="legacy"') && line.includes('chain="user-chain"'))).toBe(true);
    expect(exec.some((line) => line.startsWith('netns_qdisc_packets_total{') && line.includes('kind="tbf"'))).toBe(true);
    expect(exec.some((line) => /^netns_tc_action_packets_total\{.*action="mirred".* 3$/.test(line))).toBe(true);
  });
});
