// One scrape: discover namespaces, read each (bounded parallelism), let every enabled collector turn
// the readings into series (collect-namespace.ts), and assemble an immutable Snapshot. Never throws
// for a namespace's sake: a namespace's failures become data in its CollectorResults and one warn
// log line.

import type { Logger } from 'pino';
import type { CollectContext, Collector } from '../collectors/collector.js';
import type { DiscoveryResult } from '../discovery/discover-namespaces.js';
import type { NetnsRef } from '../model/netns-ref.js';
import type { CollectorResult, NamespaceSnapshot, Snapshot } from '../model/snapshot.js';
import { readHostSource } from '../readers/host-files.js';
import { everySource, type NamespaceReader, type Reading, type Readings } from '../readers/reader.js';
import {
  isHostSource,
  type AnyNamespaceSource,
  type AnySource,
  type HostSource,
  type NativeRead,
  type ReadingLayout,
} from '../sources/source.js';
import { collectNamespace, type PlannedCollector } from './collect-namespace.js';
import { mapBounded } from './map-bounded.js';
import type { NamespaceCache } from './namespace-cache.js';

/** What lives from one scrape to the next, owned by the exporter. */
export interface CollectionState {
  /** Shapes of readings and collectors' templates per namespace; updated by each scrape. */
  readonly cache: NamespaceCache;
  /** The exporter's label-value interner (CollectContext.intern). */
  readonly intern: (value: string) => string;
  /** The exporter's families by name (CollectContext.family). */
  readonly family: CollectContext['family'];
  /** Numbers scrapes in the logs. */
  scrapes: number;
}

export interface SnapshotSources {
  readonly discover: () => Promise<DiscoveryResult>;
  readonly reader: NamespaceReader;
  /** The enabled collectors and what they read (planCollection, made once per exporter). */
  readonly plan: CollectionPlan;
  /** True when a namespace of this name should be reported (--netns.include/--netns.exclude). */
  readonly netnsFilter: (name: string) => boolean;
  /** Namespaces read at once (--collector.parallelism; the reader's default when not set). */
  readonly parallelism: number;
  /** Most series one scrape may carry; 0 means no limit. */
  readonly maxSeries: number;
  readonly logger: Logger;
  readonly state: CollectionState;
  /**
   * performance.now() by which the collection must be done (from Prometheus's scrape timeout):
   * namespaces not yet read are skipped and reads still running are aborted, each reported as a
   * `timeout` failure, so a scrape with many hung namespaces still answers in time.
   */
  readonly deadline?: number;
}

export async function collectSnapshot(sources: SnapshotSources): Promise<Snapshot> {
  const started = performance.now();
  const logger = sources.logger.child({ scrape: ++sources.state.scrapes });
  const discovery = await sources.discover();
  const discoverySeconds = (performance.now() - started) / 1000;
  const discoveryErrors = [...discovery.errors];
  for (const error of discovery.errors) logger.warn({ err: error }, 'namespace discovery problem');

  const namespaces = uniqueByName(discovery.namespaces, discoveryErrors, logger).filter((ns) => sources.netnsFilter(ns.name));
  const { plan } = sources;
  const read = await mapBounded(namespaces, sources.parallelism, (ns) => readNamespace(ns, plan, sources, logger));
  const present = read.filter((snapshot): snapshot is NamespaceSnapshot => snapshot !== undefined);
  sources.state.cache.rotate();
  const droppedSeries = applySeriesLimit(present, sources.maxSeries);
  if (droppedSeries > 0) {
    logger.warn({ droppedSeries, maxSeries: sources.maxSeries }, 'series limit reached; some namespaces are cut');
  }

  const durationSeconds = (performance.now() - started) / 1000;
  logger.debug({ namespaces: present.length, vanished: read.length - present.length, durationSeconds }, 'scrape collected');
  return {
    namespaces: present,
    collectors: plan.collectors.map(({ collector }) => collector.name),
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
  plan: CollectionPlan,
  sources: SnapshotSources,
  scrapeLogger: Logger,
): Promise<NamespaceSnapshot | undefined> {
  const readStarted = performance.now();
  const [inside, host] = await Promise.all([
    readBeforeDeadline(ns, plan.namespaceSources, sources),
    readHostFiles(ns, plan.hostSources, plan.namespaceSources.length),
  ]);
  const readSeconds = (performance.now() - readStarted) / 1000;
  if (allVanished(inside)) {
    scrapeLogger.debug({ netns: ns.name, inode: ns.inode }, 'namespace vanished during the scrape');
    return undefined;
  }
  const readings = host.length === 0 ? inside : new Map([...inside, ...host]);

  const results = collectNamespace({
    ns,
    readings,
    readSeconds,
    sources: plan.sources,
    collectors: plan.collectors,
    intern: sources.state.intern,
    family: sources.state.family,
    cache: sources.state.cache,
  });
  const failures: string[] = [];
  for (const [name, result] of results) {
    for (const failure of result.failures) failures.push(`${name}: ${failure.kind}: ${failure.detail}`);
  }
  if (failures.length > 0) {
    scrapeLogger.warn({ netns: ns.name, inode: ns.inode, failures }, 'namespace collection failed');
  }
  return { ns, results };
}

/** Host readings are keyed after the namespace's own (`firstKey` on), as they come in the plan's list of sources. */
async function readHostFiles(ns: NetnsRef, wanted: readonly HostSource<unknown>[], firstKey: number): Promise<[AnySource, Reading][]> {
  return Promise.all(
    wanted.map(async (source, i): Promise<[AnySource, Reading]> => [source, await readHostSource(ns, source, firstKey + i)]),
  );
}

async function readBeforeDeadline(ns: NetnsRef, wanted: readonly AnyNamespaceSource[], sources: SnapshotSources): Promise<Readings> {
  if (sources.deadline === undefined) return sources.reader.read(ns, wanted);
  const remaining = sources.deadline - performance.now();
  if (remaining <= 0) {
    const error = { kind: 'timeout', detail: 'the scrape deadline passed before this namespace was read' } as const;
    return everySource(wanted, { ok: false, error });
  }
  return sources.reader.read(ns, wanted, AbortSignal.timeout(Math.ceil(remaining)));
}

function allVanished(readings: Readings): boolean {
  if (readings.size === 0) return false;
  for (const reading of readings.values()) {
    if (reading.ok || reading.error.kind !== 'vanished') return false;
  }
  return true;
}

export interface CollectionPlan {
  readonly collectors: readonly PlannedCollector[];
  /** Every source read inside the namespaces, each once: one read per namespace serves them all. */
  readonly namespaceSources: readonly AnyNamespaceSource[];
  /** Files of the host about namespaces (HA state), read beside the namespace read. */
  readonly hostSources: readonly HostSource<unknown>[];
  /** Both, namespace sources first: the order reading keys count in (readers/reader.ts). */
  readonly sources: readonly AnySource[];
}

function readsFilesOnly(source: AnyNamespaceSource): boolean {
  return source.exec.read.kind === 'file' && (source.native.read.kind === 'file' || source.native.read.kind === 'home-file');
}

/**
 * What the enabled collectors read; made once, when the exporter starts (options do not change).
 * Throws for declarations the pipeline cannot serve: that is a bug, found at start.
 */
export function planCollection(collectors: readonly Collector[]): CollectionPlan {
  const byCollector = collectors.map((collector) => ({ collector, sources: collector.sources }));
  const all = [...new Set(byCollector.flatMap(({ sources }) => [...sources]))];
  const inside = all.filter((source): source is AnyNamespaceSource => !isHostSource(source));
  // Files first, then what opens sockets: a socket stays counted in the namespace's sockstat until
  // the kernel frees it (netlink sockets an RCU grace period after close), so reading sockstat
  // after our own dumps would count the exporter's sockets as the namespace's.
  const namespaceSources = [...inside.filter(readsFilesOnly), ...inside.filter((source) => !readsFilesOnly(source))];
  const hostSources = all.filter(isHostSource);
  const sources: AnySource[] = [...namespaceSources, ...hostSources];
  checkSourceNames(sources);
  checkSharedReads(namespaceSources);
  // reading time is shared by all sources of a namespace; each collector is charged its share
  const planned = byCollector.map(({ collector, sources: own }) => ({
    collector,
    sources: own,
    inputs: own.map((source) => sources.indexOf(source)),
    readShare: all.length === 0 ? 0 : own.length / all.length,
  }));
  return { collectors: planned, namespaceSources, hostSources, sources };
}

/** The exec read frames its output by source name, and logs name sources: one name, one source. */
function checkSourceNames(sources: readonly AnySource[]): void {
  const seen = new Set<string>();
  for (const { name } of sources) {
    if (seen.has(name)) throw new Error(`two sources are named ${name}`);
    seen.add(name);
  }
}

/**
 * Sources answered by one native read (the same NativeRead object: the link dump serves net-dev and
 * links) get one reading key, and the pipeline keeps one shape per key: those that declare a layout
 * must declare the same one. (One without a layout is parsed every scrape and keeps nothing.)
 */
function checkSharedReads(sources: readonly AnyNamespaceSource[]): void {
  const layoutOfRead = new Map<NativeRead, { readonly source: string; readonly layout: ReadingLayout<unknown> }>();
  for (const source of sources) {
    const { read, layout } = source.native;
    if (layout === undefined) continue;
    const first = layoutOfRead.get(read);
    if (first === undefined) layoutOfRead.set(read, { source: source.name, layout });
    else if (first.layout !== layout) {
      throw new Error(`sources ${first.source} and ${source.name} share one native read but declare different layouts`);
    }
  }
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
