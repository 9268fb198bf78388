// Huge input: a namespace with 20,000 iptables rules and one with 500 interfaces, both reported
// exactly (every rule counter against `iptables-save -c`, every interface counter against
// /proc/net/dev), and --collector.max-series cutting whole namespaces and saying so.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select, valueOf, type ParsedSeries } from '../support/exposition.js';
import { parseIptablesSaveTruth, parseNetDevTruth } from '../support/ground-truth.js';
import { createNetnsLab, iptablesSaveIn, readProcNetDevIn, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { logLines, WARN } from './exporter-logs.js';

const RULES = 20_000;
const CHAINS = 20;
const VETH_PAIRS = 250; // 500 interfaces, plus lo
const TRAFFIC_PAIRS = 5;
// Both backends: the exec one parses iptables-save text and `ip -j link`, the native one netlink.
const BACKENDS = ['native', 'exec'] as const;
type Backend = (typeof BACKENDS)[number];
const RECEIVE = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'];
const TRANSMIT = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'];

/**
 * iptables-restore -c input: RULES rules over CHAINS user chains that no built-in chain jumps to,
 * so no packet moves their counters, which are set here to values that differ from rule to rule.
 */
function restoreInput(): string {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let c = 0; c < CHAINS; c++) lines.push(`:neutron-bulk-${c} - [0:0]`);
  for (let i = 0; i < RULES; i++) {
    const source = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
    lines.push(
      `[${i + 1}:${(i + 1) * 100 + 7}] -A neutron-bulk-${i % CHAINS} -s ${source} -p udp -m udp --dport ${1024 + i} ` +
        `-m comment --comment "rule ${i} \\"quoted\\"" -j ${i % 7 === 0 ? 'DROP' : 'ACCEPT'}`,
    );
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Series that --collector.max-series counts: everything a collector emits for the namespace. */
const collectorSeries = (series: readonly ParsedSeries[], netns: string) =>
  series.filter((s) => s.labels.netns === netns && s.name !== 'netns_info' && s.name !== 'netns_collector_success');

describe.skipIf(skipUnlessRoot('huge input tests'))('huge input', () => {
  let lab: NetnsLab;
  let rulesNs: string;
  let linksNs: string;
  const exporters: ExporterProcess[] = [];
  const fullScrapes = new Map<string, ParsedSeries[]>();

  beforeAll(async () => {
    lab = await createNetnsLab('huge');
    [linksNs, rulesNs] = (await lab.addNamespaces(['links', 'rules'])) as [string, string];
    await execa('ip', ['netns', 'exec', rulesNs, 'iptables-restore', '-c'], { input: restoreInput() });

    // IPv6 off for every new interface, and neighbours set by hand: no packet moves except ours.
    await lab.run(linksNs, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const batch: string[] = [];
    for (let i = 0; i < VETH_PAIRS; i++) batch.push(`link add va${i} type veth peer name vb${i}`);
    for (let i = 0; i < VETH_PAIRS; i++) batch.push(`link set va${i} up`, `link set vb${i} up`);
    for (let i = 0; i < TRAFFIC_PAIRS; i++) {
      batch.push(`address add 10.88.${i}.1/24 dev va${i}`, `neighbour add 10.88.${i}.2 lladdr 02:00:00:00:00:0${i} dev va${i}`);
    }
    await execa('ip', ['-n', linksNs, '-batch', '-'], { input: `${batch.join('\n')}\n` });
    // Pair i carries 3 + i datagrams out of va<i> into vb<i> (which drops them: not its MAC).
    for (let i = 0; i < TRAFFIC_PAIRS; i++) await lab.sendUdp(linksNs, `10.88.${i}.2`, 9, 3 + i, 100);
  });
  afterAll(async () => {
    await Promise.all(exporters.map((exporter) => exporter.stop()));
    await lab?.cleanup();
  });

  const start = async (backend: Backend, args: string[] = []): Promise<ExporterProcess> => {
    const exporter = await startExporter([
      `--netns.include=^${lab.prefix}`,
      '--no-netns.scan-processes',
      `--collector.backend=${backend}`,
      ...args,
    ]);
    exporters.push(exporter);
    return exporter;
  };

  test.each(BACKENDS)(`${RULES} rules and ${2 * VETH_PAIRS} interfaces, every counter exact (%s backend)`, async (backend) => {
    const exporter = await start(backend);
    const started = performance.now();
    const response = await fetch(`http://${exporter.address}/metrics`);
    const body = await response.text();
    const seconds = (performance.now() - started) / 1000;
    expect(response.status).toBe(200);
    const netDevAfter = parseNetDevTruth(await readProcNetDevIn(linksNs));
    const truth = parseIptablesSaveTruth(await iptablesSaveIn(rulesNs, 'iptables-nft-save'));
    const series = parseExposition(body);
    fullScrapes.set(backend, series);
    console.log(
      `huge (${backend}): scrape of ${RULES} rules + ${2 * VETH_PAIRS} interfaces took ${seconds.toFixed(2)} s end to end ` +
        `(collection ${valueOf(series, 'netns_scrape_collection_duration_seconds', {}).toFixed(2)} s), ` +
        `${(body.length / 1e6).toFixed(1)} MB, ${valueOf(series, 'netns_scrape_series', {})} series`,
    );

    for (const ns of [rulesNs, linksNs]) {
      for (const collector of ['interfaces', 'iptables', 'conntrack']) {
        expect(valueOf(series, 'netns_collector_success', { netns: ns, collector }), `${ns} ${collector}`).toBe(1);
      }
    }

    // Rules: as many as iptables-save prints, each with its own counters.
    expect(truth.rules).toHaveLength(RULES);
    const exported = new Map<string, { packets?: number; bytes?: number; comment?: string }>();
    for (const s of series) {
      if (s.labels.netns !== rulesNs || s.labels.backend !== 'nft' || s.labels.family !== 'ipv4') continue;
      const key = `${s.labels.table}/${s.labels.chain}/${s.labels.rule}`;
      if (s.name === 'netns_iptables_rule_packets_total')
        exported.set(key, { ...exported.get(key), packets: s.value, comment: s.labels.comment });
      if (s.name === 'netns_iptables_rule_bytes_total') exported.set(key, { ...exported.get(key), bytes: s.value });
    }
    expect(exported.size).toBe(truth.rules.length);
    const mismatches = truth.rules.filter((rule) => {
      const got = exported.get(`${rule.table}/${rule.chain}/${rule.position}`);
      return got?.packets !== rule.packets || got?.bytes !== rule.bytes;
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Spot checks against the generator itself, not only against iptables-save.
    expect(exported.get('filter/neutron-bulk-0/1')).toEqual({ packets: 1, bytes: 107, comment: 'rule 0 "quoted"' });
    expect(exported.get('filter/neutron-bulk-19/1000')).toEqual({ packets: 20_000, bytes: 2_000_007, comment: 'rule 19999 "quoted"' });
    const chainRules = select(series, 'netns_iptables_chain_rules', { netns: rulesNs, backend: 'nft', family: 'ipv4' });
    expect(chainRules.reduce((sum, s) => sum + s.value, 0)).toBe(RULES);

    // Interfaces: all 500 and lo, every counter as /proc/net/dev says after the scrape (the namespace is quiet).
    const devices = select(series, 'netns_network_receive_bytes_total', { netns: linksNs }).map((s) => s.labels.device as string);
    expect(devices.sort()).toEqual(Object.keys(netDevAfter).sort());
    expect(devices).toHaveLength(2 * VETH_PAIRS + 1);
    const byDevice = new Map<string, number>();
    for (const s of series)
      if (s.labels.netns === linksNs && s.labels.device !== undefined) byDevice.set(`${s.name} ${s.labels.device}`, s.value);
    const counterMismatches: string[] = [];
    for (const [device, columns] of Object.entries(netDevAfter)) {
      [...RECEIVE.map((c) => `receive_${c}`), ...TRANSMIT.map((c) => `transmit_${c}`)].forEach((counter, column) => {
        const value = byDevice.get(`netns_network_${counter}_total ${device}`);
        if (value !== columns[column]) counterMismatches.push(`${device} ${counter}: exported ${value}, kernel ${columns[column]}`);
      });
    }
    expect(counterMismatches.slice(0, 5)).toEqual([]);
    for (let i = 0; i < TRAFFIC_PAIRS; i++) {
      expect(valueOf(series, 'netns_network_transmit_packets_total', { netns: linksNs, device: `va${i}` })).toBe(3 + i);
      expect(valueOf(series, 'netns_network_receive_packets_total', { netns: linksNs, device: `vb${i}` })).toBe(3 + i);
    }
    const up = select(series, 'netns_network_up', { netns: linksNs }).filter((s) => s.value === 1);
    expect(up).toHaveLength(2 * VETH_PAIRS); // every veth; lo stays down

    // The first scrape also pays for compiling the code paths; a second one is what Prometheus sees.
    const again = performance.now();
    const warm = await (await fetch(`http://${exporter.address}/metrics`, { headers: { 'Accept-Encoding': 'identity' } })).text();
    const warmCollection = valueOf(parseExposition(warm), 'netns_scrape_collection_duration_seconds', {});
    console.log(
      `huge (${backend}): second scrape, uncompressed, ${((performance.now() - again) / 1000).toFixed(2)} s (collection ${warmCollection.toFixed(2)} s)`,
    );
  });

  test('--collector.max-series cuts whole namespaces and says so', async () => {
    const fullScrape = fullScrapes.get('native');
    if (!fullScrape) throw new Error('needs the full scrape of the native backend test above');
    const rulesSeries = collectorSeries(fullScrape, rulesNs).length;
    const linksSeries = collectorSeries(fullScrape, linksNs).length;
    // Room for the interfaces namespace (first by name), not for the rules one after it.
    const limit = linksSeries + 1000;
    expect(rulesSeries).toBeGreaterThan(1000);
    const exporter = await start('native', [`--collector.max-series=${limit}`]);
    const series = parseExposition(await (await fetch(`http://${exporter.address}/metrics`)).text());

    expect(valueOf(series, 'netns_scrape_series_dropped', {})).toBe(rulesSeries);
    expect(valueOf(series, 'netns_scrape_series', {})).toBe(linksSeries);
    expect(collectorSeries(series, rulesNs)).toEqual([]);
    expect(collectorSeries(series, linksNs)).toHaveLength(linksSeries);
    // The cut namespace is still listed, so it is visible that it exists and was cut.
    expect(select(series, 'netns_info', { netns: rulesNs })).toHaveLength(1);

    const warnings = logLines(exporter.logs()).filter((line) => line.level === WARN && line.msg.startsWith('series limit reached'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ droppedSeries: rulesSeries, maxSeries: limit });
  });
});
