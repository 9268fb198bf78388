// Runs collectors over readings the test makes, scrape after scrape, through the pipeline's own
// per-namespace step (collect-namespace.ts) with one NamespaceCache: what a scrape of one namespace
// does, without readers or root. Tells which collectors ran and which were refilled from the cache.

import type { Collector, CollectorOptions } from '../../src/collectors/collector.js';
import { DEFAULT_NETSTAT_FIELDS } from '../../src/collectors/netstat.js';
import { DEFAULT_HA_CONFS_DIR } from '../../src/collectors/neutron-ha.js';
import { FamilyCache } from '../../src/pipeline/family-cache.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import type { ReaderError } from '../../src/model/reader-error.js';
import type { SeriesGroup } from '../../src/model/snapshot.js';
import { collectNamespace } from '../../src/pipeline/collect-namespace.js';
import { Interner } from '../../src/pipeline/interner.js';
import { NamespaceCache } from '../../src/pipeline/namespace-cache.js';
import type { Readings } from '../../src/readers/reader.js';
import { seriesLines } from './series-lines.js';

export const TEST_NS: NetnsRef = { name: 'qrouter-runs', path: '/run/netns/qrouter-runs', dev: 4, inode: 4026532001, kind: 'qrouter', id: 'runs', source: 'named' };
/** The options of an exporter started without flags, every device reported. */
export const ALL_DEVICES: CollectorOptions = {
  deviceFilter: () => true,
  iptablesRules: true,
  iptablesRuleChains: () => true,
  netstatFields: new RegExp(`^(?:${DEFAULT_NETSTAT_FIELDS})$`),
  haConfsDir: DEFAULT_HA_CONFS_DIR,
};

export interface CollectorRun {
  readonly series: SeriesGroup[];
  readonly lines: string[];
  readonly failures: ReaderError[];
  /** Collectors whose collect() ran (the others were refilled from the cache). */
  readonly ran: string[];
}

export interface CollectorRuns {
  /** One scrape of the namespace: collect, then rotate the cache as a scrape ends. */
  run(readings: Readings): CollectorRun;
  /** The cache the runs share (to inspect what is kept). */
  readonly cache: NamespaceCache;
}

export function collectorRuns(collectors: readonly Collector[], options: CollectorOptions = ALL_DEVICES, ns: NetnsRef = TEST_NS): CollectorRuns {
  const cache = new NamespaceCache();
  const interner = new Interner();
  const families = new FamilyCache(collectors.flatMap((collector) => [...collector.families]));
  let ran: string[] = [];
  const planned = collectors.map((collector) => ({
    collector: {
      ...collector,
      collect: (...args: Parameters<Collector['collect']>) => {
        ran.push(collector.name);
        collector.collect(...args);
      },
    },
    sources: collector.sources(options),
    readShare: 0,
  }));
  return {
    cache,
    run(readings) {
      ran = [];
      const results = collectNamespace({ ns, readings, readSeconds: 0, collectors: planned, options, intern: interner.intern, family: families.family, cache });
      cache.rotate();
      const series = [...results.values()].flatMap((result) => [...result.series]);
      const failures = [...results.values()].flatMap((result) => [...result.failures]);
      return { series, lines: seriesLines(series), failures, ran };
    },
  };
}
