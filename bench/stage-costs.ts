// Where a native-backend scrape spends its CPU, stage by stage, in one process (no HTTP): each stage
// is run alone over the same N bench routers, 5 times, and the least CPU time is reported (the
// machine is shared; the minimum is the least disturbed run). Stages: the native reads (all eight
// requests, then each kernel request alone; each includes entering and leaving the namespace), the
// collectors over readings already read (first scrape, and with the memo of an unchanged namespace),
// rendering (label blocks cold and cached), rendering with gzip as served, and discovery. It says
// which stage to work on; bench/scrape-bench.ts measures whole scrapes.
//
// It also gives the floor under a scrape's CPU: the reads are timed once more on a reader with one
// thread, and that thread's own CPU time (from /proc/self/task/<tid>/stat; over 99 % of it is the
// kernel building netlink dumps) is what the kernel work of the read plan costs with no JavaScript
// and no second thread beside it. Add gzip and the cached render, and no scrape of this fleet can
// cost less, whatever the JavaScript does.
//
//   npm run build && BENCH=stage-costs bench/run.sh [N=1000] [include regex of an existing fleet]
//   STAGE_COSTS_WITHOUT=netstat,sockstat BENCH=stage-costs bench/run.sh ...   # the same with some collectors off

import { COLLECTORS as ALL_COLLECTORS, familiesOf } from '../src/collectors/registry.js';
import { discoverNamespaces } from '../src/discovery/discover-namespaces.js';
import type { NetnsRef } from '../src/model/netns-ref.js';
import { LabelBlockCache } from '../src/exposition/label-blocks.js';
import { metricsBody } from '../src/exposition/metrics-body.js';
import { renderSnapshot } from '../src/exposition/render-snapshot.js';
import { join } from 'node:path';
import { loadNativeAddon } from '../src/readers/native/load-addon.js';
import { createNativeReader, type NativeNamespaceReader } from '../src/readers/native/native-reader.js';
import { readInOwnNamespace } from '../src/readers/own-namespace.js';
import type { Readings } from '../src/readers/reader.js';
import { collectNamespace } from '../src/pipeline/collect-namespace.js';
import { planCollection } from '../src/pipeline/collect-snapshot.js';
import { Interner } from '../src/pipeline/interner.js';
import { NamespaceCache } from '../src/pipeline/namespace-cache.js';
import type { AnyNamespaceSource } from '../src/sources/source.js';
import { configured } from '../test/support/collector-runs.js';
import { FamilyCache } from '../src/pipeline/family-cache.js';
import type { Snapshot } from '../src/model/snapshot.js';
import { ownThreadCpuSeconds } from './exporter-process.js';
import { createRouterFleet, type RouterFleet } from './router-fixture.js';

const ROUNDS = 5;
const count = Number(process.argv[2] ?? 1000);
const without = new Set((process.env.STAGE_COSTS_WITHOUT ?? '').split(',').filter((name) => name !== ''));
const COLLECTORS = ALL_COLLECTORS.filter((collector) => !without.has(collector.name));
// as the exporter plans them: netstat reads only the files that print a selected field
const plan = planCollection(COLLECTORS.map((collector) => configured(collector, {}, readInOwnNamespace)));
const planned = plan.collectors;
// the bench routers have no HA state: only what is read inside the namespaces
const ALL_SOURCES: readonly AnyNamespaceSource[] = plan.namespaceSources;
const sourcesNamed = (names: readonly string[]): AnyNamespaceSource[] => ALL_SOURCES.filter((source) => names.includes(source.name));

async function leastCpuMs(task: () => unknown): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const before = process.cpuUsage();
    await task();
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

/** CPU time of some of this process's threads so far, in ms. */
function threadsCpuMs(threadIds: readonly number[]): { user: number; system: number } {
  let user = 0;
  let system = 0;
  for (const tid of threadIds) {
    const used = ownThreadCpuSeconds(tid);
    user += used.user * 1000;
    system += used.system * 1000;
  }
  return { user, system };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('creates network namespaces: run as root');
  // the addon of this checkout (bench/run.sh runs from the repository root), not one next to the compiled bench
  const addon = loadNativeAddon(join(process.cwd(), 'native/build/Release/netns_reader.node'));
  if (!addon.ok) throw new Error(addon.reason);
  let fleet: RouterFleet | undefined;
  const reader = createNativeReader({ threads: 2, timeoutMs: 10_000, addon: addon.addon });
  const cleanup = (): void => fleet?.destroy();
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    // argv[3]: the include regex of a fleet that already exists (bench/hold-fleet.ts prints it)
    let includeRegex = process.argv[3];
    if (includeRegex === undefined) {
      fleet = await createRouterFleet();
      await fleet.grow(count);
      includeRegex = fleet.includeRegex;
    }
    const include = new RegExp(includeRegex);
    // listProcesses as the exporter asks for it with the processes collector on (the default)
    const discovered = await discoverNamespaces({
      netnsDirs: ['/run/netns'],
      scanProcesses: false,
      includeHost: false,
      listProcesses: true,
    });
    const namespaces: NetnsRef[] = discovered.namespaces.filter((ns) => include.test(ns.name));
    const rows: [string, number][] = [];
    const stage = async (label: string, task: () => unknown): Promise<void> => {
      rows.push([label, await leastCpuMs(task)]);
      process.stderr.write(`${label}: ${rows.at(-1)?.[1].toFixed(0)} ms\n`);
    };
    const readAll =
      (requests: readonly AnyNamespaceSource[], by: NativeNamespaceReader = reader) =>
      async (): Promise<void> => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (next < namespaces.length) await by.read(namespaces[next++] as NetnsRef, requests);
          }),
        );
      };

    await stage('native reads, every source (pool threads included)', readAll(ALL_SOURCES));
    // the floor: the same reads on one thread, that thread's CPU alone (least of ROUNDS)
    const oneThread = createNativeReader({ threads: 1, timeoutMs: 10_000, addon: addon.addon });
    try {
      await readAll(ALL_SOURCES, oneThread)(); // the thread starts with the first job; its id is known after
      const threads = oneThread.stats().threadIds;
      if (threads.length !== 1) throw new Error(`a one-thread pool reports threads ${threads.join(', ')}`);
      let least = Infinity;
      let systemShare = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const before = threadsCpuMs(threads);
        await readAll(ALL_SOURCES, oneThread)();
        const after = threadsCpuMs(threads);
        const used = after.user + after.system - before.user - before.system;
        if (used < least) {
          least = used;
          systemShare = (after.system - before.system) / used;
        }
      }
      rows.push([
        `  of which the kernel work alone: the reader thread of a one-thread pool (${(100 * systemShare).toFixed(0)} % in the kernel)`,
        least,
      ]);
      process.stderr.write(`${rows.at(-1)?.[0]}: ${least.toFixed(0)} ms\n`);
    } finally {
      await oneThread.close();
    }
    // sources that share one native read are timed together (the same NativeRead declaration)
    const shared = [
      ['net-dev', 'links'],
      ['iptables-nft-ipv4', 'iptables-nft-ipv6'],
      ['iptables-legacy-ipv4', 'iptables-legacy-ipv6'],
      ['conntrack-count', 'conntrack-max'],
    ];
    // every other source read in the namespaces (the router diagnostics' files and dumps) alone
    const others = ALL_SOURCES.filter((source) => !shared.flat().includes(source.name)).map((source) => [source.name]);
    for (const names of [...shared, ...others]) {
      if (sourcesNamed(names).length === 0) continue;
      await stage(`  ${names.join(' + ')} alone`, readAll(sourcesNamed(names)));
    }
    const readings: Readings[] = await Promise.all(namespaces.map((ns) => reader.read(ns, ALL_SOURCES)));
    const intern = new Interner().intern;
    const family = new FamilyCache(familiesOf(COLLECTORS)).family;
    const collectAll = (only: typeof planned, cache: NamespaceCache) =>
      namespaces.map((ns, i) =>
        collectNamespace({
          ns,
          readings: readings[i] as Readings,
          readSeconds: 0,
          sources: plan.sources,
          collectors: only,
          intern,
          family,
          cache,
        }),
      );
    for (const one of planned) {
      await stage(`collector ${one.collector.name}, first scrape (parse + label rows)`, () => collectAll([one], new NamespaceCache()));
      const warm = new NamespaceCache();
      collectAll([one], warm);
      warm.rotate();
      await stage(`collector ${one.collector.name}, refill of an unchanged namespace`, () => {
        collectAll([one], warm);
        warm.rotate();
      });
    }
    const cache = new NamespaceCache();
    collectAll(planned, cache);
    cache.rotate();
    const results = collectAll(planned, cache);
    const snapshot: Snapshot = {
      namespaces: namespaces.map((ns, i) => ({ ns, results: results[i] as Map<string, never> })),
      collectors: COLLECTORS.map((c) => c.name),
      durationSeconds: 0,
      discoverySeconds: 0,
      discoveryErrors: [],
      vanishedNamespaces: 0,
      droppedSeries: 0,
    };
    let bodyBytes = 0;
    await stage('render, label blocks not cached', async () => {
      bodyBytes = 0;
      await renderSnapshot(snapshot, familiesOf(COLLECTORS), (chunk) => void (bodyBytes += chunk.length));
    });
    const labelBlocks = new LabelBlockCache();
    await renderSnapshot(snapshot, familiesOf(COLLECTORS), () => undefined, { labelBlocks });
    await stage('render, label blocks cached (unchanged namespaces)', () =>
      renderSnapshot(snapshot, familiesOf(COLLECTORS), () => undefined, { labelBlocks }),
    );
    await stage('render + gzip level 1 (as served; zlib threads included)', () =>
      metricsBody((sink) => renderSnapshot(snapshot, familiesOf(COLLECTORS), sink, { labelBlocks })).encoded('gzip'),
    );
    await stage('discovery (named + /proc scan)', () =>
      discoverNamespaces({ netnsDirs: ['/run/netns'], scanProcesses: true, includeHost: false, listProcesses: true }),
    );

    console.log(`${namespaces.length} routers, ${bodyBytes} bytes of exposition, least CPU of ${ROUNDS} runs\n`);
    console.log('| stage | CPU ms | µs per router |\n|---|---:|---:|');
    for (const [label, ms] of rows) console.log(`| ${label} | ${ms.toFixed(0)} | ${((ms * 1000) / namespaces.length).toFixed(0)} |`);
    // no warm scrape can cost less than these three together
    const least = (prefix: string): number => rows.find(([label]) => label.startsWith(prefix))?.[1] ?? NaN;
    const floor = {
      kernel: least('  of which the kernel work alone'),
      collectors: COLLECTORS.reduce((sum, c) => sum + least(`collector ${c.name}, refill`), 0),
      exposition: least('render + gzip'),
    };
    console.log(
      `\nfloor of a warm scrape: ${(floor.kernel + floor.collectors + floor.exposition).toFixed(0)} CPU ms ` +
        `(kernel work of the reads ${floor.kernel.toFixed(0)}, collectors refilled ${floor.collectors.toFixed(0)}, ` +
        `render and gzip as served ${floor.exposition.toFixed(0)}), before settling reads, garbage collection and HTTP`,
    );
  } finally {
    await reader.close();
    cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`stage-costs failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
