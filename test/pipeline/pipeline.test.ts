// The whole pipeline (collectors, snapshot, exposition, self metrics) over bytes captured from real
// namespaces, compared with a committed expected.prom. `UPDATE_EXPECTED=1 npx vitest run test/pipeline`
// rewrites it (review the diff!). Values that change run to run (timings, process metrics) are
// masked, not faked.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { createExporter } from '../../src/exporter.js';
import { createFixtureReader, fixtureDiscovery, PIPELINE_FIXTURES } from '../support/fixture-reader.js';

const EXPECTED = join(PIPELINE_FIXTURES, 'expected.prom');
const ROUTER = 'qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10';
const VOLATILE = /^(process_|nodejs_|netns_exporter_build_info|netns_scrape_duration_seconds|netns_scrape_collection_duration_seconds)/;

/** The L3 agent's HA state directory of the fixtures: the router is the primary here. */
const HA_CONFS = join(PIPELINE_FIXTURES, 'ha_confs');

export async function scrapeFixtures(argv: string[] = []): Promise<string> {
  const exporter = await createExporter({
    config: parseFlags([`--neutron.ha-confs-dir=${HA_CONFS}`, ...argv], '0.0.0-test'),
    reader: createFixtureReader(),
    discover: fixtureDiscovery(),
    logger: pino({ level: 'silent' }),
    build: { version: '0.0.0-test', revision: 'test', nodejsVersion: process.version },
  });
  try {
    return await (await exporter.scrape()).text();
  } finally {
    await exporter.close();
  }
}

function stable(text: string): string {
  return (
    text
      .split('\n')
      .filter((line) => !VOLATILE.test(line) && !/^# (HELP|TYPE) (process_|nodejs_|netns_exporter_build_info)/.test(line))
      .map((line) => line.replace(/^(netns_scrape_(?:collection_)?duration_seconds(?:\{[^}]*\})?) .*$/, '$1 <masked>'))
      // the state file's mtime: when this checkout wrote it (the HA test below checks the value)
      .map((line) => line.replace(/^(netns_router_ha_last_change_timestamp_seconds\{[^}]*\}) .*$/, '$1 <masked>'))
      .join('\n')
  );
}

test('exposition equals expected.prom', async () => {
  const actual = stable(await scrapeFixtures());
  if (process.env.UPDATE_EXPECTED) writeFileSync(EXPECTED, actual);
  expect(actual).toBe(readFileSync(EXPECTED, 'utf8'));
});

test('counters are the ones in the captured files', async () => {
  const text = await scrapeFixtures();
  const router = 'qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10';
  const dropRule = readFileSync(join(PIPELINE_FIXTURES, 'router/iptables-nft-ipv4'), 'utf8')
    .split('\n')
    .find((line) => line.includes('-j DROP'));
  const [, packets, bytes] = /^\[(\d+):(\d+)\]/.exec(dropRule ?? '') ?? [];
  expect(Number(packets)).toBeGreaterThan(0);
  const labels = `netns="${router}",backend="nft",family="ipv4",table="filter",chain="neutron-l3-agent-INPUT",rule="1",target="DROP",comment="drop \\"probe\\" \\\\ traffic"`;
  expect(text).toContain(`netns_iptables_rule_packets_total{${labels}} ${packets}\n`);
  expect(text).toContain(`netns_iptables_rule_bytes_total{${labels}} ${bytes}\n`);

  const netDevRow = readFileSync(join(PIPELINE_FIXTURES, 'router/net-dev'), 'utf8')
    .split('\n')
    .find((line) => line.trim().startsWith('qr-5d2c8b7e-0f:'));
  const columns = (netDevRow ?? '').split(':')[1]?.trim().split(/\s+/) ?? [];
  expect(columns).toHaveLength(16);
  expect(text).toContain(`netns_network_receive_bytes_total{netns="${router}",device="qr-5d2c8b7e-0f"} ${columns[0]}\n`);
  expect(text).toContain(`netns_network_transmit_packets_total{netns="${router}",device="qr-5d2c8b7e-0f"} ${columns[9]}\n`);
  expect(text).toContain(`netns_network_mtu_bytes{netns="${router}",device="qr-5d2c8b7e-0f"} 1450\n`);
  expect(text).toContain(`netns_network_info{netns="${router}",device="qr-5d2c8b7e-0f",address="fa:16:3e:11:22:33",operstate="up"} 1\n`);
  expect(text).toContain(`netns_network_up{netns="${router}",device="qg-3a4b5c6d-7e"} 0\n`);
});

test('legacy and nft tables of one namespace are separate series', async () => {
  const text = await scrapeFixtures();
  const dhcp = 'qdhcp-8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77';
  expect(text).toMatch(
    new RegExp(
      `netns_iptables_rule_packets_total\\{netns="${dhcp}",backend="legacy",family="ipv4",table="filter",chain="INPUT",rule="1",target="ACCEPT",comment="legacy"\\} \\d+\\n`,
    ),
  );
  expect(text).toContain(
    `netns_iptables_chain_policy_packets_total{netns="${dhcp}",backend="legacy",family="ipv4",table="filter",chain="INPUT",policy="ACCEPT"}`,
  );
});

test('a namespace whose input does not parse fails alone', async () => {
  const text = await scrapeFixtures();
  expect(text).toContain('netns_collector_success{netns="broken-netdev",collector="interfaces"} 0\n');
  // its snmp has a garbage value: netstat fails for it, and nothing of it is exported as a zero
  expect(text).toContain('netns_collector_success{netns="broken-netdev",collector="netstat"} 0\n');
  expect(text).not.toMatch(/netns_netstat_\w+\{netns="broken-netdev"/);
  expect(text).toContain(`netns_collector_success{netns="${ROUTER}",collector="netstat"} 1\n`);
  // what is simply not there (no sockstat, no neighbour table read) is not a failure and not a zero
  expect(text).toContain('netns_collector_success{netns="broken-netdev",collector="sockstat"} 1\n');
  expect(text).not.toMatch(/netns_sockstat_\w+\{netns="broken-netdev"/);
  expect(text).toContain('netns_collector_success{netns="broken-netdev",collector="conntrack"} 1\n');
  expect(text).toContain('netns_collector_success{netns="qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10",collector="interfaces"} 1\n');
  expect(text).not.toMatch(/netns_network_[a-z_]+\{netns="broken-netdev"/);
});

test('collector switches and filters', async () => {
  const text = await scrapeFixtures([
    '--no-collector.iptables.rules',
    '--device.exclude=^lo$',
    '--netns.exclude=^broken',
    '--no-collector.conntrack',
  ]);
  expect(text).not.toContain('netns_iptables_rule_packets_total');
  expect(text).toContain('netns_iptables_chain_rules{');
  expect(text).not.toMatch(/device="lo"/);
  expect(text).not.toContain('broken-netdev');
  expect(text).not.toContain('netns_nf_conntrack_entries');
  expect(text).not.toContain('collector="conntrack"');
});

test('--collector.max-series cuts whole namespaces and says so', async () => {
  const text = await scrapeFixtures(['--collector.max-series=60']);
  const dropped = Number(/^netns_scrape_series_dropped (\d+)$/m.exec(text)?.[1]);
  const kept = Number(/^netns_scrape_series (\d+)$/m.exec(text)?.[1]);
  expect(dropped).toBeGreaterThan(0);
  expect(kept).toBeLessThanOrEqual(60);
});

test('--netns.labels-file labels netns_info by router id', async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const dir = await mkdtemp('/tmp/netns-labels-');
  try {
    const file = join(dir, 'labels.yaml');
    await writeFile(file, '5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10: { project: demo, router_name: "edge \\"1\\"" }\n');
    const text = await scrapeFixtures([`--netns.labels-file=${file}`]);
    expect(text).toContain(
      'netns_info{netns="qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10",kind="qrouter",id="5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10",project="demo",router_name="edge \\"1\\""} 1\n',
    );
    expect(text).toContain(
      'netns_info{netns="qdhcp-8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77",kind="qdhcp",id="8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77"} 1\n',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const fixtureText = (path: string): string => readFileSync(join(PIPELINE_FIXTURES, path), 'utf8');

/** Field `name` of a `Proto: names` / `Proto: values` pair of lines. */
function snmpField(text: string, proto: string, name: string): string {
  const lines = text.split('\n').filter((line) => line.startsWith(`${proto}: `));
  const names = (lines[0] ?? '').split(' ');
  return (lines[1] ?? '').split(' ')[names.indexOf(name)] as string;
}

test('router diagnostics: netstat, sockstat, conntrack statistics, neighbours, carrier changes and HA state from the captured files', async () => {
  const text = await scrapeFixtures();
  const snmp = fixtureText('router/snmp');
  expect(text).toContain(`netns_netstat_Ip_ForwDatagrams{netns="${ROUTER}"} ${snmpField(snmp, 'Ip', 'ForwDatagrams')}\n`);
  expect(text).toContain(`netns_netstat_Ip_InDiscards{netns="${ROUTER}"} ${snmpField(snmp, 'Ip', 'InDiscards')}\n`);
  expect(text).toContain(`netns_netstat_Udp_NoPorts{netns="${ROUTER}"} ${snmpField(snmp, 'Udp', 'NoPorts')}\n`);
  // the default fields are all in snmp and snmp6: /proc/net/netstat's TcpExt is not read by default
  expect(text).not.toContain('netns_netstat_TcpExt_');
  expect(text).toContain('# TYPE netns_netstat_Ip_ForwDatagrams untyped\n');
  // fields outside the router set are not exported by default
  expect(text).not.toContain('netns_netstat_Ip_DefaultTTL');

  const sockets = /^sockets: used (\d+)$/m.exec(fixtureText('router/sockstat'))?.[1];
  expect(text).toContain(`netns_sockstat_sockets_used{netns="${ROUTER}"} ${sockets}\n`);
  const tcpInUse = /^TCP: inuse (\d+)/m.exec(fixtureText('router/sockstat'))?.[1];
  expect(text).toContain(`netns_sockstat_TCP_inuse{netns="${ROUTER}"} ${tcpInUse}\n`);
  // kernel-wide values are the host's (node_exporter's), not every namespace's
  expect(text).not.toMatch(/netns_sockstat_TCP_(alloc|orphan|mem)/);

  const stat = fixtureText('router/conntrack-stat').trim().split('\n');
  const column = (stat[0] as string).split(/\s+/).indexOf('insert');
  const inserts = stat.slice(1).reduce((sum, row) => sum + Number.parseInt(row.trim().split(/\s+/)[column] as string, 16), 0);
  expect(text).toContain(`netns_nf_conntrack_stat_insert_total{netns="${ROUTER}"} ${inserts}\n`);
  expect(text).toContain(`netns_nf_conntrack_stat_drop_total{netns="${ROUTER}"} `);

  // the capture left one permanent, one failed, one resolved neighbour on qr- and lo's noarp entry
  const neighbour = (state: string, device = 'qr-5d2c8b7e-0f') =>
    `netns_neighbor_entries{netns="${ROUTER}",device="${device}",family="ipv4",state="${state}"} 1\n`;
  expect(text).toContain(neighbour('permanent'));
  expect(text).toContain(neighbour('failed'));
  expect(text).toContain(neighbour('noarp', 'lo'));

  const carrier = (JSON.parse(fixtureText('router/links')) as { ifname: string; stats64: { tx: { carrier_changes: number } } }[]).find(
    (link) => link.ifname === 'qr-5d2c8b7e-0f',
  )?.stats64.tx.carrier_changes;
  expect(carrier).toBeGreaterThan(0);
  expect(text).toContain(`netns_network_carrier_changes_total{netns="${ROUTER}",device="qr-5d2c8b7e-0f"} ${carrier}\n`);

  const id = ROUTER.slice('qrouter-'.length);
  expect(text).toContain(`netns_router_ha_state{netns="${ROUTER}",id="${id}",state="primary"} 1\n`);
  expect(text).toContain(`netns_router_ha_state{netns="${ROUTER}",id="${id}",state="backup"} 0\n`);
  // first sight: no change seen yet, and the time is the file's last write
  const written = Number(statSync(join(HA_CONFS, id, 'state'), { bigint: true }).mtimeNs) / 1e9;
  expect(text).toContain(`netns_router_ha_last_change_timestamp_seconds{netns="${ROUTER}",id="${id}"} ${written}\n`);
  expect(text).toContain(`netns_router_ha_changes_total{netns="${ROUTER}",id="${id}"} 0\n`);
  // only qrouter namespaces with a state file
  expect(text).not.toMatch(/netns_router_ha_state\{netns="qdhcp-/);
  expect(text).not.toMatch(/netns_router_ha_(changes_total|last_change_timestamp_seconds)\{netns="qdhcp-/);
  expect(text).toContain(`netns_collector_success{netns="${ROUTER}",collector="neutron_ha"} 1\n`);
});

test('no HA state directory: no HA series, and no failure', async () => {
  const text = await scrapeFixtures(['--neutron.ha-confs-dir=/nonexistent/ha_confs']);
  expect(text).not.toContain('netns_router_ha_state{');
  expect(text).not.toContain('netns_router_ha_changes_total{');
  expect(text).toContain(`netns_collector_success{netns="${ROUTER}",collector="neutron_ha"} 1\n`);
});

test('--collector.netstat.fields and --iptables.chain.include choose the series', async () => {
  const text = await scrapeFixtures(['--collector.netstat.fields=Ip_DefaultTTL|Udp_.*', '--iptables.chain.include=^neutron-']);
  expect(text).toContain(`netns_netstat_Ip_DefaultTTL{netns="${ROUTER}"} 64\n`);
  expect(text).toMatch(new RegExp(`netns_netstat_Udp_InDatagrams\\{netns="${ROUTER}"\\} \\d+\\n`));
  expect(text).not.toContain('netns_netstat_Ip_ForwDatagrams');
  // per-rule series only for neutron- chains; chains and policies of the others stay
  const ruleChains = new Set([...text.matchAll(/^netns_iptables_rule_packets_total\{[^}]*chain="([^"]*)"/gm)].map((match) => match[1]));
  expect([...ruleChains]).toEqual(['neutron-l3-agent-INPUT']);
  expect(text).toContain(`netns_iptables_chain_rules{netns="${ROUTER}",backend="nft",family="ipv4",table="filter",chain="INPUT"} 1\n`);
});

test('--collector.tc adds the captured qdiscs and ingress filter actions, and changes no other line', async () => {
  const text = await scrapeFixtures(['--collector.tc']);
  const ingress = `netns="${ROUTER}",device="qr-5d2c8b7e-0f",kind="ingress",handle="ffff:",parent="ffff:fff1"`;
  expect(text).toContain(`netns_qdisc_drops_total{${ingress}} 3\n`);
  expect(text).toContain(`netns_qdisc_packets_total{${ingress}} 13\n`);
  expect(text).toContain(
    `netns_qdisc_packets_total{netns="${ROUTER}",device="qg-3a4b5c6d-7e",kind="tbf",handle="8005:",parent="root"} 0\n`,
  );
  const action = `netns="${ROUTER}",device="qr-5d2c8b7e-0f",parent="ffff:",pref="1",kind="u32",handle="800::800",action="mirred",order="1"`;
  expect(text).toContain(`netns_tc_action_overlimits_total{${action}} 3\n`);
  expect(text).toContain(`netns_tc_action_packets_total{${action}} 3\n`);
  expect(text).not.toContain('kind="noqueue"');
  // the dhcp fixture has only noqueue qdiscs: success and no series
  expect(text).toContain('netns_collector_success{netns="qdhcp-8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77",collector="tc"} 1\n');
  const without = (exposition: string) =>
    stable(exposition)
      .split('\n')
      .filter((line) => !/netns_(qdisc|tc_action)_|collector="tc"|^netns_scrape_series /.test(line))
      .join('\n');
  const plain = await scrapeFixtures();
  expect(without(text)).toBe(without(plain));
  // the router's tbf and ingress qdisc (7 series each) and its one action (3)
  const seriesOf = (exposition: string) => Number(/^netns_scrape_series (\d+)$/m.exec(exposition)?.[1]);
  expect(seriesOf(text) - seriesOf(plain)).toBe(17);
});
