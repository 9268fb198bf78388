// The JavaScript side of a warm scrape, without the kernel: N copies of one router's captured native
// readings (test/fixtures/netlink and diagnostics) collected, refilled and rendered to gzip as served,
// with the default collectors and with the six router-diagnostics collectors off, alternating in one
// process. Prints CPU ms per scrape (process.cpuUsage: every thread, zlib's included) and the ratio.
// No root needed.
//
//   BENCH=pipeline-micro bench/run.sh [routers=1000] [rounds=5] [scrapes=10]
//   BENCH_HA_ROUTERS=1 BENCH=pipeline-micro bench/run.sh    # every router an HA router (a state file each)

import { readFileSync } from 'node:fs';
import type { Collector } from '../src/collectors/collector.js';
import { COLLECTORS, familiesOf } from '../src/collectors/registry.js';
import { LabelBlockCache } from '../src/exposition/label-blocks.js';
import { NamespaceLineCache } from '../src/exposition/namespace-lines.js';
import { metricsBody } from '../src/exposition/metrics-body.js';
import { renderSnapshot } from '../src/exposition/render-snapshot.js';
import type { NetnsRef } from '../src/model/netns-ref.js';
import type { NamespaceSnapshot, Snapshot } from '../src/model/snapshot.js';
import { collectNamespace } from '../src/pipeline/collect-namespace.js';
import { planCollection } from '../src/pipeline/collect-snapshot.js';
import { FamilyCache } from '../src/pipeline/family-cache.js';
import { Interner } from '../src/pipeline/interner.js';
import { NamespaceCache } from '../src/pipeline/namespace-cache.js';
import type { Reading } from '../src/readers/reader.js';
import { conntrackCountSource, conntrackMaxSource, conntrackStatSource } from '../src/sources/conntrack.js';
import { iptablesLegacyIpv4Source, iptablesLegacyIpv6Source } from '../src/sources/iptables-legacy.js';
import { iptablesNftIpv4Source, iptablesNftIpv6Source } from '../src/sources/iptables-nft.js';
import { linksSource } from '../src/sources/links.js';
import { neighboursSource } from '../src/sources/neighbours.js';
import { netDevSource } from '../src/sources/net-dev.js';
import { snmp6Source, snmpSource } from '../src/sources/netstat.js';
import { sockstat6Source, sockstatSource } from '../src/sources/sockstat.js';
import type { AnySource } from '../src/sources/source.js';
import { readInOwnNamespace } from '../src/readers/own-namespace.js';
import { configured } from '../test/support/collector-runs.js';

const [routers, rounds, scrapes] = [1000, 5, 10].map((fallback, i) => Number(process.argv[2 + i] ?? fallback)) as [number, number, number];
const DIAGNOSTICS = new Set(['netstat', 'sockstat', 'conntrack_stat', 'neighbor', 'carrier_changes', 'neutron_ha']);
// configured as an exporter started without flags on this machine (netstat then reads the files
// that print a default field: snmp and snmp6)
const CONFIGURED: readonly Collector[] = COLLECTORS.map((collector) => configured(collector, {}, readInOwnNamespace));

const bytes = (dir: string, name: string): Buffer => readFileSync(`test/fixtures/${dir}/${name}`);
const READS: [AnySource[], Buffer][] = [
  // the router diagnostics' own link dump: it names the devices of its neighbour dump
  [[netDevSource, linksSource], bytes('diagnostics', 'router.links.rtnetlink.bin')],
  [[iptablesNftIpv4Source, iptablesNftIpv6Source], bytes('netlink', 'router-nft-unspec.nfnetlink.bin')],
  [[iptablesLegacyIpv4Source], bytes('netlink', 'router-legacy-ipv4.xt-entries.bin')],
  [[iptablesLegacyIpv6Source], bytes('netlink', 'router-legacy-ipv6.xt-entries.bin')],
  [[conntrackCountSource, conntrackStatSource], bytes('netlink', 'router.nf_conntrack.stat.txt')],
  [[conntrackMaxSource], Buffer.from('262144\n')],
  [[snmpSource], bytes('diagnostics', 'router.snmp.txt')],
  [[snmp6Source], bytes('diagnostics', 'router.snmp6.txt')],
  [[sockstatSource], bytes('diagnostics', 'router.sockstat.txt')],
  [[sockstat6Source], bytes('diagnostics', 'router.sockstat6.txt')],
  [[neighboursSource], bytes('diagnostics', 'router.neigh.rtnetlink.bin')],
];

const HA_ROUTERS = process.env.BENCH_HA_ROUTERS === '1';
const HA_STATE = Buffer.from('primary');
/** When the state files were written, as the host reader would report it. */
const HA_STATE_FILE = { modifiedSeconds: 1_700_000_000 };

interface Setup {
  readonly name: string;
  scrape(): Promise<void>;
}

function setup(name: string, collectors: readonly Collector[]): Setup {
  const plan = planCollection(collectors);
  const families = familiesOf(collectors);
  const cache = new NamespaceCache();
  const intern = new Interner().intern;
  const family = new FamilyCache(families).family;
  const labelBlocks = new LabelBlockCache();
  const namespaceLines = new NamespaceLineCache();
  const namespaces: NetnsRef[] = Array.from({ length: routers }, (_, n) => {
    const id = `5d2c8b7e-0f55-4a3c-9a1e-${n.toString(16).padStart(12, '0')}`;
    // as discovery lists an HA router primary here (the processes collector counts them)
    const processes = ['haproxy', 'keepalived', 'keepalived', 'neutron-keepali'].map((comm, i) => ({ pid: 10_000 + 4 * n + i, comm }));
    return {
      name: `qrouter-${id}`,
      path: `/run/netns/qrouter-${id}`,
      dev: 4,
      inode: 4026532000 + n,
      kind: 'qrouter',
      id,
      source: 'named',
      processes,
    };
  });
  const keyOf = (source: AnySource): number => plan.sources.indexOf(source);
  return {
    name,
    async scrape() {
      const started = performance.now();
      const snapshots: NamespaceSnapshot[] = namespaces.map((ns) => {
        // a new reading per namespace and scrape, as a reader hands them out (bytes shared: a memo only compares them)
        const readings = new Map<AnySource, Reading>();
        for (const [sources, data] of READS) {
          const key = Math.min(...sources.map(keyOf).filter((index) => index >= 0));
          for (const source of sources) {
            if (!plan.sources.includes(source) || !('native' in source)) continue;
            readings.set(source, { ok: true, data, declaration: source.native, key });
          }
        }
        // the bench routers have no HA state file, as on a host without an L3 agent; with
        // BENCH_HA_ROUTERS=1 every one is an HA router whose state file says "primary"
        for (const source of plan.hostSources) {
          const state = { ok: true as const, data: HA_STATE, declaration: source.host, key: keyOf(source), file: HA_STATE_FILE };
          readings.set(source, HA_ROUTERS ? state : { ok: false, error: { kind: 'not-present', detail: `${source.name}: no file` } });
        }
        return {
          ns,
          results: collectNamespace({
            ns,
            readings,
            readSeconds: 0,
            sources: plan.sources,
            collectors: plan.collectors,
            intern,
            family,
            cache,
          }),
        };
      });
      cache.rotate();
      const snapshot: Snapshot = {
        namespaces: snapshots,
        collectors: plan.collectors.map(({ collector }) => collector.name),
        durationSeconds: (performance.now() - started) / 1000,
        discoverySeconds: 0,
        discoveryErrors: [],
        vanishedNamespaces: 0,
        droppedSeries: 0,
      };
      await metricsBody((sink) => renderSnapshot(snapshot, families, sink, { labelBlocks, namespaceLines })).encoded('gzip');
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function cpuMsPerScrape(run: Setup): Promise<number> {
  const used: number[] = [];
  for (let i = 0; i < scrapes; i++) {
    const before = process.cpuUsage();
    await run.scrape();
    const { user, system } = process.cpuUsage(before);
    used.push((user + system) / 1000);
  }
  return median(used);
}

/** Collectors that ran (were not refilled), by name: a warm scrape should have none but processes (it has no source). */
const ran = new Map<string, number>();
const counted = CONFIGURED.map((collector): Collector => ({
  ...collector,
  collect: (...args: Parameters<Collector['collect']>) => {
    ran.set(collector.name, (ran.get(collector.name) ?? 0) + 1);
    collector.collect(...args);
  },
}));

async function main(): Promise<void> {
  const full = setup('default collectors', counted);
  if (process.env.RAN) {
    await full.scrape();
    ran.clear();
    await full.scrape();
    process.stdout.write(`collectors run in a warm scrape: ${JSON.stringify([...ran])}\n`);
  }
  const sixOff = setup(
    'six diagnostics off',
    counted.filter((collector) => !DIAGNOSTICS.has(collector.name)),
  );
  const processesOff = setup(
    'processes off',
    counted.filter((collector) => collector.name !== 'processes'),
  );
  for (const run of [full, sixOff, processesOff]) await run.scrape(); // first scrapes: parse everything, render every label
  const results = new Map<string, number[]>([
    [full.name, []],
    [sixOff.name, []],
    [processesOff.name, []],
  ]);
  // ONLY=full or ONLY=six-off: one of the two (for a CPU profile of each)
  const runs = process.env.ONLY === 'full' ? [full] : process.env.ONLY === 'six-off' ? [sixOff] : [sixOff, processesOff, full];
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      const ms = await cpuMsPerScrape(run);
      results.get(run.name)?.push(ms);
      process.stderr.write(`round ${round + 1} ${run.name}: ${ms.toFixed(1)} CPU ms per scrape\n`);
    }
  }
  const [a, b] = [median(results.get(full.name) ?? []), median(results.get(sixOff.name) ?? [])];
  process.stdout.write(
    `${routers} routers, ${rounds} rounds of ${scrapes} scrapes: default ${a.toFixed(1)} CPU ms per scrape, six off ${b.toFixed(1)}, ratio ${(a / b).toFixed(3)}\n`,
  );
  // the processes collector's JavaScript side (its discovery reads are not in this bench)
  const c = median(results.get(processesOff.name) ?? []);
  process.stdout.write(`processes off ${c.toFixed(1)} CPU ms per scrape, default / processes off ${(a / c).toFixed(3)}\n`);
}

await main();
