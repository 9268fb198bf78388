// Runs collectors over readings the test makes, scrape after scrape, through the pipeline's own
// per-namespace step (collect-namespace.ts) with one NamespaceCache: what a scrape of one namespace
// does, without readers or root. Tells which collectors ran and which were refilled from the cache.

import type { Collector, CollectorDeclaration, OwnNamespaceInput } from '../../src/collectors/collector.js';
import { FamilyCache } from '../../src/pipeline/family-cache.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import type { ReaderError } from '../../src/model/reader-error.js';
import type { SeriesGroup } from '../../src/model/snapshot.js';
import { collectNamespace } from '../../src/pipeline/collect-namespace.js';
import { planCollection } from '../../src/pipeline/collect-snapshot.js';
import { Interner } from '../../src/pipeline/interner.js';
import { NamespaceCache } from '../../src/pipeline/namespace-cache.js';
import type { Readings } from '../../src/readers/reader.js';
import { seriesLines } from './series-lines.js';

export const TEST_NS: NetnsRef = {
  name: 'qrouter-runs',
  path: '/run/netns/qrouter-runs',
  dev: 4,
  inode: 4026532001,
  kind: 'qrouter',
  id: 'runs',
  source: 'named',
  // as discovery lists them (for the processes collector): the router's metadata proxy
  processes: [{ pid: 4242, comm: 'haproxy' }],
};
/** Flags as the command line gives them, by name without dashes: `{ 'device.include': '^qr-' }`. */
export type CollectorFlagsGiven = Readonly<Record<string, string | boolean>>;

/**
 * An own namespace that shows nothing: options that depend on it assume nothing (netstat then reads
 * all three of its files), so that a test does not depend on this machine's kernel.
 */
export const NOTHING_OWN: OwnNamespaceInput = () => undefined;

/** The collector as the exporter runs it with these flags (none: an exporter started without flags). */
export function configured(
  collector: CollectorDeclaration,
  flags: CollectorFlagsGiven = {},
  own: OwnNamespaceInput = NOTHING_OWN,
): Collector {
  return collector.configure(new Map(Object.entries(flags)), own);
}

export interface CollectorRun {
  readonly series: SeriesGroup[];
  readonly lines: string[];
  readonly failures: ReaderError[];
  /** Collectors whose collect() ran (the others were refilled from the cache). */
  readonly ran: string[];
}

export interface CollectorRuns {
  /**
   * One scrape of the namespace: collect, then rotate the cache as a scrape ends. `seen` is the
   * namespace as this scrape's discovery saw it (the same name; its processes may differ).
   */
  run(readings: Readings, seen?: NetnsRef): CollectorRun;
  /** A scrape that collects but never ends (the cache is not rotated), as one cut short by a bug would. */
  runWithoutRotating(readings: Readings, seen?: NetnsRef): CollectorRun;
  /** The cache the runs share (to inspect what is kept). */
  readonly cache: NamespaceCache;
}

/** `collectors` with the flags given (or already configured), over one namespace scrape after scrape. */
export function collectorRuns(
  collectors: readonly (CollectorDeclaration | Collector)[],
  flags: CollectorFlagsGiven = {},
  ns: NetnsRef = TEST_NS,
): CollectorRuns {
  const cache = new NamespaceCache();
  const interner = new Interner();
  const running = collectors.map((collector) => ('configure' in collector ? configured(collector, flags) : collector));
  const families = new FamilyCache(running.flatMap((collector) => [...collector.families]));
  let ran: string[] = [];
  const plan = planCollection(
    running.map((collector) => ({
      ...collector,
      collect: (...args: Parameters<Collector['collect']>) => {
        ran.push(collector.name);
        collector.collect(...args);
      },
    })),
  );
  return {
    cache,
    run(readings, seen = ns) {
      const run = this.runWithoutRotating(readings, seen);
      cache.rotate();
      return run;
    },
    runWithoutRotating(readings: Readings, seen = ns) {
      ran = [];
      const results = collectNamespace({
        ns: seen,
        readings,
        readSeconds: 0,
        sources: plan.sources,
        collectors: plan.collectors,
        intern: interner.intern,
        family: families.family,
        cache,
      });
      const series = [...results.values()].flatMap((result) => [...result.series]);
      const failures = [...results.values()].flatMap((result) => [...result.failures]);
      return { series, lines: seriesLines(series), failures, ran };
    },
  };
}
