// One scrape: discover namespaces, read each (bounded parallelism), let every enabled collector turn
// the readings into series, and assemble an immutable Snapshot. Never throws for a namespace's sake:
// a namespace's failures become data in its CollectorResults and one warn log line.

import type { Logger } from 'pino';
import type { Collector, CollectorOptions } from '../collectors/collector.js';
import type { DiscoveryResult } from '../discovery/discover-namespaces.js';
import type { NetnsRef } from '../discovery/netns-ref.js';
import type { NamespaceReader, ReadRequest, Readings } from '../readers/reader.js';
import { mapBounded } from '../concurrency/map-bounded.js';
import type { CollectorResult, NamespaceSnapshot, Snapshot } from './model.js';
import type { NamespaceMemos } from './namespace-memos.js';

export interface SnapshotSources {
  readonly discover: () => Promise<DiscoveryResult>;
  readonly reader: NamespaceReader;
  readonly collectors: readonly Collector[];
  readonly collectorOptions: CollectorOptions;
  /** True when a namespace of this name should be reported (--netns.include/--netns.exclude). */
  readonly netnsFilter: (name: string) => boolean;
  readonly parallelism: number;
  /** Most series one scrape may carry; 0 means no limit. */
  readonly maxSeries: number;
  readonly logger: Logger;
  /** What collectors kept from the last scrape; updated by this one. */
  readonly memos: NamespaceMemos;
  /**
   * performance.now() by which the collection must be done (from Prometheus's scrape timeout):
   * namespaces not yet read are skipped and reads still running are aborted, each reported as a
   * `timeout` failure, so a scrape with many hung namespaces still answers in time.
   */
  readonly deadline?: number;
}

let scrapeCounter = 0;

export async function collectSnapshot(sources: SnapshotSources): Promise<Snapshot> {
  const started = performance.now();
  const logger = sources.logger.child({ scrape: ++scrapeCounter });
  const discovery = await sources.discover();
  const discoverySeconds = (performance.now() - started) / 1000;
  const discoveryErrors = [...discovery.errors];
  for (const error of discovery.errors) logger.warn({ err: error }, 'namespace discovery problem');

  const namespaces = uniqueByName(discovery.namespaces, discoveryErrors, logger).filter((ns) =>
    sources.netnsFilter(ns.name),
  );
  const plan = readPlan(sources.collectors, sources.collectorOptions);

  const inFlight = Math.max(sources.parallelism, sources.reader.queueDepth ?? 0);
  const read = await mapBounded(namespaces, inFlight, (ns) => readNamespace(ns, plan, sources, logger));
  const present = read.filter((snapshot): snapshot is NamespaceSnapshot => snapshot !== undefined);
  sources.memos.rotate();
  const droppedSeries = applySeriesLimit(present, sources.maxSeries);
  if (droppedSeries > 0) {
    logger.warn({ droppedSeries, maxSeries: sources.maxSeries }, 'series limit reached; some namespaces are cut');
  }

  const durationSeconds = (performance.now() - started) / 1000;
  logger.debug(
    { namespaces: present.length, vanished: read.length - present.length, durationSeconds },
    'scrape collected',
  );
  return {
    namespaces: present,
    collectors: sources.collectors.map((collector) => collector.name),
    durationSeconds,
    discoverySeconds,
    discoveryErrors,
    vanishedNamespaces: read.length - present.length,
    droppedSeries,
  };
}

/**
 * Reads one namespace and runs the collectors over its readings. Returns undefined when the
 * namespace vanished before it could be entered: it is gone, and the next discovery won't list it.
 */
async function readNamespace(
  ns: NetnsRef,
  plan: ReadPlan,
  sources: SnapshotSources,
  scrapeLogger: Logger,
): Promise<NamespaceSnapshot | undefined> {
  const readStarted = performance.now();
  const readings = await readBeforeDeadline(ns, plan.requests, sources);
  const readSeconds = (performance.now() - readStarted) / 1000;
  if (allVanished(readings)) {
    scrapeLogger.debug({ netns: ns.name, inode: ns.inode }, 'namespace vanished during the scrape');
    return undefined;
  }

  const results = new Map<string, CollectorResult>();
  const failures: string[] = [];
  for (const collector of sources.collectors) {
    const collectStarted = performance.now();
    const output = collector.collect(ns, readings, sources.collectorOptions, sources.memos.get(ns, collector.name));
    sources.memos.keep(ns, collector.name, output.memo);
    const seconds = readSeconds * (plan.readShare.get(collector.name) ?? 0) + (performance.now() - collectStarted) / 1000;
    results.set(collector.name, { series: output.series, failures: output.failures, seconds });
    for (const failure of output.failures) failures.push(`${collector.name}: ${failure.kind}: ${failure.detail}`);
  }
  if (failures.length > 0) {
    scrapeLogger.warn({ netns: ns.name, inode: ns.inode, failures }, 'namespace collection failed');
  }
  return { ns, results };
}

async function readBeforeDeadline(ns: NetnsRef, requests: readonly ReadRequest[], sources: SnapshotSources): Promise<Readings> {
  if (sources.deadline === undefined) return sources.reader.read(ns, requests);
  const remaining = sources.deadline - performance.now();
  if (remaining <= 0) {
    const error = { kind: 'timeout', detail: 'the scrape deadline passed before this namespace was read' } as const;
    return new Map(requests.map((request) => [request, { ok: false, error }]));
  }
  return sources.reader.read(ns, requests, AbortSignal.timeout(Math.ceil(remaining)));
}

function allVanished(readings: Readings): boolean {
  if (readings.size === 0) return false;
  for (const reading of readings.values()) {
    if (reading.ok || reading.error.kind !== 'vanished') return false;
  }
  return true;
}

interface ReadPlan {
  /** Every request any enabled collector needs, each once: one read per namespace serves them all. */
  readonly requests: readonly ReadRequest[];
  /** Reading time is shared by all requests of a namespace; each collector is charged its share. */
  readonly readShare: ReadonlyMap<string, number>;
}

function readPlan(collectors: readonly Collector[], options: CollectorOptions): ReadPlan {
  const byCollector = collectors.map((collector) => [collector.name, collector.requests(options)] as const);
  const requests = [...new Set(byCollector.flatMap(([, own]) => [...own]))];
  const readShare = new Map(byCollector.map(([name, own]) => [name, requests.length === 0 ? 0 : own.length / requests.length]));
  return { requests, readShare };
}

/**
 * Two directories may hold the same name (/run/netns/x and /run/docker/netns/x): the same label
 * value twice would make Prometheus reject the whole scrape, so the later one is left out and said.
 */
function uniqueByName(namespaces: readonly NetnsRef[], errors: string[], logger: Logger): NetnsRef[] {
  const seen = new Set<string>();
  const unique: NetnsRef[] = [];
  for (const ns of namespaces) {
    if (seen.has(ns.name)) {
      const message = `namespace name ${JSON.stringify(ns.name)} seen twice; ${ns.path} left out`;
      errors.push(message);
      logger.warn({ netns: ns.name, path: ns.path }, 'duplicate namespace name; later one left out');
      continue;
    }
    seen.add(ns.name);
    unique.push(ns);
  }
  return unique;
}

export function seriesCount(result: CollectorResult): number {
  let count = 0;
  for (const group of result.series) count += group.values.length;
  return count;
}

/**
 * Keeps whole namespaces, in name order, until the limit; a namespace that would cross it keeps
 * none of its series. Returns how many series were dropped.
 */
function applySeriesLimit(namespaces: NamespaceSnapshot[], maxSeries: number): number {
  if (maxSeries <= 0) return 0;
  let kept = 0;
  let dropped = 0;
  for (const [index, snapshot] of namespaces.entries()) {
    let count = 0;
    for (const result of snapshot.results.values()) count += seriesCount(result);
    if (kept + count <= maxSeries) {
      kept += count;
      continue;
    }
    dropped += count;
    const emptied = new Map<string, CollectorResult>();
    for (const [name, result] of snapshot.results) {
      emptied.set(name, { ...result, series: [], failures: result.failures });
    }
    namespaces[index] = { ns: snapshot.ns, results: emptied };
  }
  return dropped;
}
