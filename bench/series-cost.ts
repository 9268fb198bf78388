// Series per router and what they cost Prometheus, for docs/scaling.md. Run as root:
//   npx vitest run --config bench/series-cost.vitest.ts    (SERIES_COST_ROUTERS=200 by default)
// Builds a bench fleet (bench/router-fixture.ts, always removed), counts the exporter's series per
// router by collector with --once (with and without per-rule series), then lets a real Prometheus
// with the shipped rules scrape it every 5 s for two minutes and reads its head series and memory
// against a second, idle Prometheus started at the same time.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { renderRulesFile } from '../src/alerting/rules.js';
import { builtMain } from '../test/support/built.js';
import { startExporter } from '../test/support/exporter-process.js';
import { startPrometheus } from '../test/support/prometheus.js';
import { createRouterFleet, type RouterFleet } from './router-fixture.js';

const ROUTERS = Number(process.env.SERIES_COST_ROUTERS ?? 200);
let fleet: RouterFleet | undefined;
afterAll(() => fleet?.destroy());

/** The collector a namespace series comes from, by its name (exporter-wide series: the name itself). */
const COLLECTOR_OF: readonly (readonly [RegExp, string])[] = [
  [/^netns_network_carrier_changes_total$/, 'carrier_changes'],
  [/^netns_network_/, 'interfaces'],
  [/^netns_iptables_/, 'iptables'],
  [/^netns_nf_conntrack_stat_/, 'conntrack_stat'],
  [/^netns_nf_conntrack_/, 'conntrack'],
  [/^netns_netstat_/, 'netstat'],
  [/^netns_sockstat_/, 'sockstat'],
  [/^netns_neighbor_/, 'neighbor'],
  [/^netns_router_ha_/, 'neutron_ha'],
];

function byCollector(exposition: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#') || !line.includes('netns="')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0];
    const collector = COLLECTOR_OF.find(([pattern]) => pattern.test(name))?.[1] ?? name;
    counts[collector] = (counts[collector] ?? 0) + 1;
  }
  return counts;
}

test('series per router and their cost in Prometheus', async () => {
  fleet = await createRouterFleet();
  await fleet.grow(ROUTERS);
  const include = `--netns.include=${fleet.includeRegex}`;
  const full = byCollector((await execa('node', [builtMain, '--once', include])).stdout);
  const noRules = byCollector((await execa('node', [builtMain, '--once', include, '--no-collector.iptables.rules'])).stdout);
  const perRouter = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number((v / ROUTERS).toFixed(1))]));
  console.log('series per router, by collector:', JSON.stringify(perRouter(full)));
  console.log('with --no-collector.iptables.rules:', JSON.stringify(perRouter(noRules)));

  const dir = await mkdtemp(join(tmpdir(), 'netns-series-cost-'));
  const rules = join(dir, 'rules.yml');
  await writeFile(rules, renderRulesFile());
  const exporter = await startExporter([include]);
  const loaded = await startPrometheus({
    job: 'netns-exporter',
    targets: [exporter.address],
    ruleFiles: [rules],
    scrapeIntervalSeconds: 5,
    scrapeTimeoutSeconds: 5,
  });
  const idle = await startPrometheus({ job: 'netns-exporter', targets: [], scrapeIntervalSeconds: 5, scrapeTimeoutSeconds: 5 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 120_000));
    // Prometheus' own metrics, read from its /metrics (it does not scrape itself here).
    const own = async (p: typeof loaded, name: string): Promise<number> => {
      const text = await (await fetch(`${p.url}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)![1]);
    };
    const head = await own(loaded, 'prometheus_tsdb_head_series');
    const records = Number((await loaded.query('count({__name__=~"netns:.*"})'))[0]!.value[1]);
    const [loadedRss, idleRss] = [await own(loaded, 'process_resident_memory_bytes'), await own(idle, 'process_resident_memory_bytes')];
    const [loadedHeap, idleHeap] = [await own(loaded, 'go_memstats_heap_inuse_bytes'), await own(idle, 'go_memstats_heap_inuse_bytes')];
    console.log(
      JSON.stringify({
        routers: ROUTERS,
        headSeries: head,
        recordedSeries: records,
        loadedRssMB: loadedRss / 2 ** 20,
        idleRssMB: idleRss / 2 ** 20,
        rssBytesPerSeries: (loadedRss - idleRss) / head,
        heapBytesPerSeries: (loadedHeap - idleHeap) / head,
        samplesPerSecondAt30sInterval: head / 30,
      }),
    );
    expect(head).toBeGreaterThan(ROUTERS * 100);
  } finally {
    await loaded.stop();
    await idle.stop();
    await exporter.stop();
    await rm(dir, { recursive: true, force: true });
  }
}, 900_000);
