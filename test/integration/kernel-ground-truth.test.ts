// The real exporter binary against real namespaces: veth pairs, real traffic, real iptables rules in
// both backends and both families, and a namespace held only by a process. Every exported counter
// must lie between what the kernel said just before and just after the scrape.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_NETSTAT_FIELDS } from '../../src/collectors/netstat.js';
import { loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { builtMain } from '../support/built.js';
import { parseIptablesSaveTruth, parseNetDevTruth } from '../support/ground-truth.js';
import { startExporter } from '../support/exporter-process.js';
import { parseExposition, select, valueOf, type ParsedSeries } from '../support/exposition.js';
import {
  createNetnsLab,
  iptablesSaveIn,
  readProcNetDevIn,
  skipUnlessRoot,
  type IptablesSaveTool,
  type NetnsLab,
} from '../support/netns-lab.js';

const RECEIVE = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'];
const TRANSMIT = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'];
const TOOLS: { tool: IptablesSaveTool; backend: string; family: string }[] = [
  { tool: 'iptables-nft-save', backend: 'nft', family: 'ipv4' },
  { tool: 'ip6tables-nft-save', backend: 'nft', family: 'ipv6' },
  { tool: 'iptables-legacy-save', backend: 'legacy', family: 'ipv4' },
  { tool: 'ip6tables-legacy-save', backend: 'legacy', family: 'ipv6' },
];
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(skipUnlessRoot('kernel ground-truth tests'))('exporter vs the kernel', () => {
  let lab: NetnsLab;
  let router: string;
  let dhcp: string;
  let fip: string;
  let legacyOnly: string;
  let unnamed: { pid: number; inode: number };
  let include: string;

  beforeAll(async () => {
    lab = await createNetnsLab('truth');
    router = await lab.addNeutronNamespace('qrouter', 'r');
    dhcp = await lab.addNeutronNamespace('qdhcp', 'd');
    fip = await lab.addNeutronNamespace('fip', 'f');
    legacyOnly = await lab.addNamespace('legacy');
    unnamed = await lab.holdUnnamedNamespace();
    include = `${escapeRegex(lab.prefix)}|^net:\\[${unnamed.inode}\\]$`;

    await lab.vethPair({ ns: dhcp, dev: 'tap-d', cidr: '10.50.0.2/24' }, { ns: router, dev: 'qr-d', cidr: '10.50.0.1/24' });
    await lab.vethPair({ ns: router, dev: 'qg-f', cidr: '10.60.0.1/24' }, { ns: fip, dev: 'fg-r', cidr: '10.60.0.2/24' });
    await lab.vethPair({ ns: dhcp, dev: 'tap6', cidr6: 'fd00:50::2/64' }, { ns: router, dev: 'qr6', cidr6: 'fd00:50::1/64' });
    await lab.run(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await lab.run(dhcp, ['ip', 'route', 'add', 'default', 'via', '10.50.0.1']);
    await lab.run(legacyOnly, ['ip', 'link', 'set', 'lo', 'up']);

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
      '9999',
      '-m',
      'comment',
      '--comment',
      'drop "probe" \\ $(x)',
      '-j',
      'DROP',
    ]);
    await r([
      'iptables',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'udp',
      '--dport',
      '7777',
      '-m',
      'comment',
      '--comment',
      'accept 7777',
      '-j',
      'ACCEPT',
    ]);
    await r(['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-f', '-j', 'SNAT', '--to-source', '10.60.0.1']);
    await r(['ip6tables', '-A', 'INPUT', '-p', 'udp', '--dport', '6666', '-m', 'comment', '--comment', 'v6 accept', '-j', 'ACCEPT']);
    await r([
      'iptables-legacy',
      '-A',
      'INPUT',
      '-p',
      'udp',
      '--dport',
      '5555',
      '-m',
      'comment',
      '--comment',
      'legacy in router',
      '-j',
      'ACCEPT',
    ]);
    await lab.run(legacyOnly, ['iptables-legacy', '-A', 'OUTPUT', '-p', 'udp', '-m', 'comment', '--comment', 'legacy out', '-j', 'ACCEPT']);

    await lab.sendUdp(dhcp, '10.50.0.1', 9999, 5);
    await lab.sendUdp(dhcp, '10.50.0.1', 7777, 3);
    await lab.sendUdp(dhcp, '10.60.0.2', 4444, 4);
    await lab.sendUdp(dhcp, 'fd00:50::1', 6666, 2);
    await lab.sendUdp(dhcp, '10.50.0.1', 5555, 2);
    await lab.sendUdp(legacyOnly, '127.0.0.1', 1234, 3);
  });

  afterAll(async () => {
    await lab?.cleanup();
  });

  async function groundTruth(ns: string) {
    const netDev = parseNetDevTruth(await readProcNetDevIn(ns));
    const tables: Record<string, ReturnType<typeof parseIptablesSaveTruth>> = {};
    for (const { tool, backend, family } of TOOLS) {
      tables[`${backend}/${family}`] = parseIptablesSaveTruth(await iptablesSaveIn(ns, tool));
    }
    return { netDev, tables };
  }

  async function scrapeOnce(extra: string[] = []): Promise<ParsedSeries[]> {
    const { stdout } = await execa('node', [builtMain, '--once', '--collector.backend=exec', `--netns.include=${include}`, ...extra]);
    return parseExposition(stdout);
  }

  test('every interface and iptables counter lies between the readings before and after', async () => {
    const ours = [router, dhcp, fip, legacyOnly];
    const before = Object.fromEntries(await Promise.all(ours.map(async (ns) => [ns, await groundTruth(ns)] as const)));
    const series = await scrapeOnce();
    const after = Object.fromEntries(await Promise.all(ours.map(async (ns) => [ns, await groundTruth(ns)] as const)));

    for (const ns of ours) {
      expect(valueOf(series, 'netns_collector_success', { netns: ns, collector: 'interfaces' }), ns).toBe(1);
      expect(valueOf(series, 'netns_collector_success', { netns: ns, collector: 'iptables' }), ns).toBe(1);
      expect(valueOf(series, 'netns_collector_success', { netns: ns, collector: 'conntrack' }), ns).toBe(1);

      const devices = Object.keys(before[ns]!.netDev);
      expect(
        select(series, 'netns_network_receive_bytes_total', { netns: ns })
          .map((s) => s.labels.device)
          .sort(),
      ).toEqual(devices.sort());
      for (const device of devices) {
        const low = before[ns]!.netDev[device]!;
        const high = after[ns]!.netDev[device]!;
        [...RECEIVE.map((c) => `receive_${c}`), ...TRANSMIT.map((c) => `transmit_${c}`)].forEach((counter, column) => {
          const value = valueOf(series, `netns_network_${counter}_total`, { netns: ns, device });
          expect(value, `${ns} ${device} ${counter}`).toBeGreaterThanOrEqual(low[column]!);
          expect(value, `${ns} ${device} ${counter}`).toBeLessThanOrEqual(high[column]!);
        });
      }

      for (const { backend, family } of TOOLS) {
        const low = before[ns]!.tables[`${backend}/${family}`]!;
        const high = after[ns]!.tables[`${backend}/${family}`]!;
        const exported = select(series, 'netns_iptables_rule_packets_total', { netns: ns, backend, family });
        expect(exported.length, `${ns} ${backend}/${family} rule count`).toBe(low.rules.length);
        for (const [index, rule] of low.rules.entries()) {
          const labels = { netns: ns, backend, family, table: rule.table, chain: rule.chain, rule: String(rule.position) };
          const target = /(?:^| )-[jg] (\S+)/.exec(rule.line)?.[1] ?? '';
          const packets = select(series, 'netns_iptables_rule_packets_total', labels);
          expect(packets, rule.line).toHaveLength(1);
          expect(packets[0]!.labels.target).toBe(target);
          expect(packets[0]!.value).toBeGreaterThanOrEqual(rule.packets);
          expect(packets[0]!.value).toBeLessThanOrEqual(high.rules[index]!.packets);
          const bytes = valueOf(series, 'netns_iptables_rule_bytes_total', labels);
          expect(bytes).toBeGreaterThanOrEqual(rule.bytes);
          expect(bytes).toBeLessThanOrEqual(high.rules[index]!.bytes);
        }
        for (const [index, policy] of low.policies.entries()) {
          const labels = { netns: ns, backend, family, table: policy.table, chain: policy.chain, policy: policy.policy };
          const packets = valueOf(series, 'netns_iptables_chain_policy_packets_total', labels);
          expect(packets).toBeGreaterThanOrEqual(policy.packets);
          expect(packets).toBeLessThanOrEqual(high.policies[index]!.packets);
        }
        expect(select(series, 'netns_iptables_chain_rules', { netns: ns, backend, family })).toHaveLength(low.chains.length);
      }
    }
  });

  test('the traffic sent is what the rules counted', async () => {
    const series = await scrapeOnce();
    const rule = (ns: string, backend: string, family: string, table: string, chain: string, position: number) =>
      select(series, 'netns_iptables_rule_packets_total', { netns: ns, backend, family, table, chain, rule: String(position) })[0];
    const drop = rule(router, 'nft', 'ipv4', 'filter', 'neutron-l3-agent-INPUT', 1);
    expect(drop?.labels).toMatchObject({ target: 'DROP', comment: 'drop "probe" \\ $(x)' });
    expect(drop?.value).toBe(5);
    expect(rule(router, 'nft', 'ipv4', 'filter', 'neutron-l3-agent-INPUT', 2)).toMatchObject({
      value: 3,
      labels: { target: 'ACCEPT', comment: 'accept 7777' },
    });
    expect(rule(router, 'nft', 'ipv4', 'nat', 'POSTROUTING', 1)?.labels.target).toBe('SNAT');
    expect(rule(router, 'nft', 'ipv4', 'nat', 'POSTROUTING', 1)?.value).toBeGreaterThanOrEqual(1);
    expect(rule(router, 'nft', 'ipv6', 'filter', 'INPUT', 1)).toMatchObject({
      value: 2,
      labels: { target: 'ACCEPT', comment: 'v6 accept' },
    });
    expect(rule(router, 'legacy', 'ipv4', 'filter', 'INPUT', 1)).toMatchObject({ value: 2, labels: { comment: 'legacy in router' } });
    expect(rule(legacyOnly, 'legacy', 'ipv4', 'filter', 'OUTPUT', 1)?.value).toBeGreaterThanOrEqual(3);
    expect(select(series, 'netns_iptables_chain_rules', { netns: legacyOnly, backend: 'nft' })).toHaveLength(0);
  });

  test('interface attributes, kinds, conntrack and the unnamed namespace', async () => {
    const series = await scrapeOnce();
    const links = JSON.parse(await lab.run(router, ['ip', '-j', 'link', 'show'])) as {
      ifname: string;
      mtu: number;
      address: string;
      operstate: string;
    }[];
    for (const link of links) {
      expect(valueOf(series, 'netns_network_mtu_bytes', { netns: router, device: link.ifname })).toBe(link.mtu);
      expect(valueOf(series, 'netns_network_up', { netns: router, device: link.ifname })).toBe(link.operstate === 'UP' ? 1 : 0);
      expect(
        select(series, 'netns_network_info', {
          netns: router,
          device: link.ifname,
          address: link.address,
          operstate: link.operstate.toLowerCase(),
        }),
      ).toHaveLength(1);
    }
    expect(valueOf(series, 'netns_info', { netns: router, kind: 'qrouter', id: router.slice('qrouter-'.length) })).toBe(1);
    expect(valueOf(series, 'netns_info', { netns: dhcp, kind: 'qdhcp', id: dhcp.slice('qdhcp-'.length) })).toBe(1);
    expect(valueOf(series, 'netns_info', { netns: fip, kind: 'fip' })).toBe(1);
    expect(valueOf(series, 'netns_info', { netns: legacyOnly, kind: 'other', id: '' })).toBe(1);
    const unnamedName = `net:[${unnamed.inode}]`;
    expect(valueOf(series, 'netns_info', { netns: unnamedName, kind: 'other' })).toBe(1);
    expect(select(series, 'netns_network_receive_bytes_total', { netns: unnamedName, device: 'lo' })).toHaveLength(1);
    const limit = Number((await lab.run(router, ['cat', '/proc/sys/net/netfilter/nf_conntrack_max'])).trim());
    expect(valueOf(series, 'netns_nf_conntrack_entries_limit', { netns: router })).toBe(limit);
    expect(valueOf(series, 'netns_nf_conntrack_entries', { netns: router })).toBeGreaterThanOrEqual(1);
    expect(valueOf(series, 'netns_namespaces', { kind: 'qrouter' })).toBe(1);
  });

  /** `Proto_Field` -> value of a /proc/net/snmp or netstat text (pairs of header and value lines). */
  function snmpValues(text: string): Map<string, number> {
    const values = new Map<string, number>();
    const lines = text.trim().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = (lines[i] as string).split(' ');
      const numbers = (lines[i + 1] as string).split(' ');
      const proto = (names[0] as string).slice(0, -1);
      names.slice(1).forEach((name, j) => values.set(`${proto}_${name}`, Number(numbers[j + 1])));
    }
    return values;
  }

  async function diagnosticsTruth(ns: string) {
    const snmp = snmpValues(`${await lab.run(ns, ['cat', '/proc/net/snmp'])}\n${await lab.run(ns, ['cat', '/proc/net/netstat'])}`);
    const stat = (await lab.run(ns, ['cat', '/proc/net/stat/nf_conntrack'])).trim().split('\n');
    const header = (stat[0] as string).trim().split(/\s+/);
    const conntrack = new Map(
      header.map((name, j) => [
        name,
        stat.slice(1).reduce((sum, row) => sum + Number.parseInt(row.trim().split(/\s+/)[j] as string, 16), 0),
      ]),
    );
    const links = JSON.parse(await lab.run(ns, ['ip', '-j', '-s', '-s', 'link', 'show'])) as {
      ifname: string;
      stats64: { tx: { carrier_changes: number } };
    }[];
    const neighbours = new Map<string, number>();
    for (const entry of JSON.parse(await lab.run(ns, ['ip', '-j', 'neigh', 'show', 'nud', 'all'])) as {
      dev: string;
      dst: string;
      state?: string[];
    }[]) {
      const key = `${entry.dev} ${entry.dst.includes(':') ? 'ipv6' : 'ipv4'} ${(entry.state ?? ['none']).join(',').toLowerCase()}`;
      neighbours.set(key, (neighbours.get(key) ?? 0) + 1);
    }
    return { snmp, conntrack, carrier: new Map(links.map((link) => [link.ifname, link.stats64.tx.carrier_changes])), neighbours };
  }

  test.each(['exec', 'native'])(
    'router diagnostics (%s backend): netstat, conntrack statistics, carrier changes and neighbours as the kernel says',
    async (backend) => {
      if (backend === 'native' && !loadNativeAddon().ok) throw new Error('the native addon is not built');
      // a flap, a permanent neighbour and one nobody answers for, on the router
      await lab.run(router, ['ip', 'link', 'set', 'dev', 'qg-f', 'down']);
      await lab.run(router, ['ip', 'link', 'set', 'dev', 'qg-f', 'up']);
      await lab.run(router, ['ip', 'neigh', 'replace', '10.50.0.99', 'lladdr', '02:00:00:00:00:99', 'dev', 'qr-d', 'nud', 'permanent']);
      await lab.sendUdp(router, '10.50.0.77', 9, 1);
      const before = await diagnosticsTruth(router);
      // two fields of /proc/net/netstat beside the default set, so that file is read too (the default is not)
      const fields = `${DEFAULT_NETSTAT_FIELDS}|TcpExt_ListenDrops|TcpExt_TCPTimeouts`;
      const series = await scrapeOnce([`--collector.backend=${backend}`, `--collector.netstat.fields=${fields}`]);
      const after = await diagnosticsTruth(router);

      for (const collector of ['netstat', 'sockstat', 'conntrack_stat', 'neighbor', 'carrier_changes', 'neutron_ha']) {
        expect(valueOf(series, 'netns_collector_success', { netns: router, collector }), collector).toBe(1);
      }
      const netstat = series.filter((s) => s.name.startsWith('netns_netstat_') && s.labels.netns === router);
      expect(netstat.length).toBeGreaterThanOrEqual(12);
      expect(netstat.map((s) => s.name)).toEqual(
        expect.arrayContaining(['netns_netstat_TcpExt_ListenDrops', 'netns_netstat_TcpExt_TCPTimeouts']),
      );
      for (const s of netstat) {
        const field = s.name.slice('netns_netstat_'.length);
        if (!before.snmp.has(field)) continue; // snmp6 fields: checked by the parsers' tests
        expect(s.value, field).toBeGreaterThanOrEqual(Math.min(before.snmp.get(field)!, after.snmp.get(field)!));
        expect(s.value, field).toBeLessThanOrEqual(Math.max(before.snmp.get(field)!, after.snmp.get(field)!));
      }
      // the router forwarded the dhcp namespace's datagrams to the fip namespace
      expect(valueOf(series, 'netns_netstat_Ip_ForwDatagrams', { netns: router })).toBeGreaterThanOrEqual(4);
      for (const column of ['found', 'insert', 'insert_failed', 'drop', 'early_drop', 'invalid']) {
        const value = valueOf(series, `netns_nf_conntrack_stat_${column}_total`, { netns: router });
        expect(value, column).toBeGreaterThanOrEqual(before.conntrack.get(column)!);
        expect(value, column).toBeLessThanOrEqual(after.conntrack.get(column)!);
      }
      expect(before.carrier.get('qg-f')).toBeGreaterThanOrEqual(2);
      for (const [device, changes] of after.carrier) {
        expect(valueOf(series, 'netns_network_carrier_changes_total', { netns: router, device }), device).toBe(changes);
      }
      // neighbour states move on their own (incomplete -> failed, reachable -> stale): each count is the
      // kernel's before or after the scrape
      const exported = new Map(
        select(series, 'netns_neighbor_entries', { netns: router }).map((s) => [
          `${s.labels.device} ${s.labels.family} ${s.labels.state}`,
          s.value,
        ]),
      );
      expect(exported.get('qr-d ipv4 permanent')).toBe(1);
      for (const key of new Set([...before.neighbours.keys(), ...after.neighbours.keys(), ...exported.keys()])) {
        expect([before.neighbours.get(key), after.neighbours.get(key)], key).toContain(exported.get(key));
      }
      const sockstat = /^RAW: inuse (\d+)/m.exec(await lab.run(router, ['cat', '/proc/net/sockstat']))?.[1];
      expect(valueOf(series, 'netns_sockstat_RAW_inuse', { netns: router })).toBe(Number(sockstat));
    },
  );

  test('a namespace deleted between two scrapes is gone from the second', async () => {
    const first = await scrapeOnce();
    expect(select(first, 'netns_info', { netns: fip })).toHaveLength(1);
    await lab.deleteNamespace(fip);
    const second = await scrapeOnce();
    expect(second.filter((s) => s.labels.netns === fip)).toEqual([]);
    expect(valueOf(second, 'netns_collector_success', { netns: router, collector: 'interfaces' })).toBe(1);
  });

  test('promtool check metrics passes on a real scrape served over HTTP', async () => {
    const exporter = await startExporter([`--netns.include=${include}`]);
    try {
      const response = await fetch(`http://${exporter.address}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain(`netns_info{netns="${router}"`);
      const lint = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
      expect(lint.stderr + lint.stdout).not.toMatch(/error while linting|text format parsing error/);
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });
});
