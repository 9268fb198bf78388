// What a `netns-exporter top` refresh costs against a scrape, on N bench routers, in one process: the
// exporter's collection (what both do), then what top adds (copying the families a row needs out of
// the snapshot, and the rows with their rates), and what the exporter adds instead (rendering the
// body). Each is the least wall time of ROUNDS warm rounds (the machine is shared).
//
//   npm run build && flock /work/bench.lock env BENCH=top-refresh bench/run.sh [N=1000] [include regex of an existing fleet]

import { pino } from 'pino';
import { parseFlags } from '../src/cli/flags.js';
import { createCollection, createExporter } from '../src/exporter.js';
import { readingOf } from '../src/on-node/namespace-reading.js';
import { TOP_FAMILIES, topRows, viewRows } from '../src/on-node/top-table.js';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadNativeAddon } from '../src/readers/native/load-addon.js';
import { createNativeReader } from '../src/readers/native/native-reader.js';
import { Registry } from 'prom-client';
import { createRouterFleet, type RouterFleet } from './router-fixture.js';

const ROUNDS = 5;
const count = Number(process.argv[2] ?? 1000);

async function least(task: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await task();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('creates network namespaces: run as root');
  let fleet: RouterFleet | undefined;
  process.on('SIGINT', () => {
    fleet?.destroy();
    process.exit(130);
  });
  try {
    let includeRegex = process.argv[3];
    if (includeRegex === undefined) {
      fleet = await createRouterFleet();
      await fleet.grow(count);
      includeRegex = fleet.includeRegex;
    }
    const config = parseFlags(['--no-netns.scan-processes', `--netns.include=${includeRegex}`, '--collector.backend=native'], 'bench');
    const logger = pino({ level: 'warn' });
    // the addon of this checkout (bench/run.sh runs from the repository root), not one next to the compiled bench
    const addon = loadNativeAddon(join(process.cwd(), 'native/build/Release/netns_reader.node'));
    if (!addon.ok) throw new Error(addon.reason);
    // as selectReader makes it: one thread per core
    const nativeReader = () => createNativeReader({ threads: availableParallelism(), timeoutMs: config.timeoutMs, addon: addon.addon });
    const reader = nativeReader();
    const collection = await createCollection({ config, reader, logger, registry: new Registry() });
    let before = await collection.collect(); // cold: every namespace parsed
    const namespaces = before.namespaces.length;
    const collect = await least(async () => {
      before = await collection.collect();
    });
    let previous = new Map(before.namespaces.map((ns) => [ns.ns.name, readingOf(ns, 0, TOP_FAMILIES)]));
    const after = await collection.collect();
    const rows = await least(() => {
      const readings = after.namespaces.map((ns) => readingOf(ns, 2000, TOP_FAMILIES));
      const table = viewRows(
        topRows(previous, readings, 2, () => ({})),
        { sort: 'throughput', reversed: false },
      );
      previous = new Map(readings.map((reading) => [reading.ns.name, reading]));
      return Promise.resolve(table);
    });
    const exporter = await createExporter({
      config,
      reader: nativeReader(),
      logger,
      build: { version: 'bench', revision: '', nodejsVersion: process.version },
    });
    await exporter.scrape();
    const scrape = await least(async () => Buffer.concat(await (await exporter.scrape()).encoded('identity')));
    process.stdout.write(
      `${namespaces} namespaces, least of ${ROUNDS} warm rounds:\n` +
        `  collection (shared by top and the exporter): ${collect.toFixed(0)} ms\n` +
        `  top's rows from two collections: ${rows.toFixed(0)} ms\n` +
        `  a whole scrape (collection, render, identity body): ${scrape.toFixed(0)} ms\n`,
    );
    await exporter.close();
    await reader.close();
  } finally {
    fleet?.destroy();
  }
}

await main();
