// Wires one exporter from a validated config: discovery, a reader backend, the enabled collectors,
// single-flight collection and exposition. `scrape()` returns the /metrics body of one collection.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BuildInfo } from './build-info.js';
import { nameFilter, type ExporterConfig } from './model/config.js';
import type { CollectorDeclaration } from './collectors/collector.js';
import { processesCollector } from './collectors/processes.js';
import { COLLECTORS, familiesOf } from './collectors/registry.js';
import { discoverNamespaces, type DiscoveryResult } from './discovery/discover-namespaces.js';
import { LabelsFileSource } from './labels/labels-file-source.js';
import { ChunkPool } from './exposition/body-writer.js';
import { LabelBlockCache } from './exposition/label-blocks.js';
import { NamespaceLineCache } from './exposition/namespace-lines.js';
import { metricsBody, type MetricsBody } from './exposition/metrics-body.js';
import { renderSnapshot } from './exposition/render-snapshot.js';
import { createSelfMetrics } from './exposition/self-metrics.js';
import { readInOwnNamespace } from './readers/own-namespace.js';
import type { NamespaceReader } from './readers/reader.js';
import { collectSnapshot, planCollection, type CollectionState } from './pipeline/collect-snapshot.js';
import type { MetricFamily, Snapshot } from './model/snapshot.js';
import { FamilyCache } from './pipeline/family-cache.js';
import { Interner } from './pipeline/interner.js';
import { NamespaceCache } from './pipeline/namespace-cache.js';
import { SingleFlight } from './pipeline/single-flight.js';

export interface ScrapeOptions {
  /** Seconds the client will wait (Prometheus's X-Prometheus-Scrape-Timeout-Seconds); none: no scrape-wide deadline. */
  readonly timeoutSeconds?: number;
}

/** Time kept back from the client's timeout for rendering and sending, as blackbox_exporter's --timeout-offset. */
const TIMEOUT_OFFSET_SECONDS = 0.5;

export interface Exporter {
  /**
   * One collection (shared with concurrent callers) as a Prometheus text body. The caller that
   * starts a collection sets its deadline; callers that join it share it.
   */
  scrape(options?: ScrapeOptions): Promise<MetricsBody>;
  close(): Promise<void>;
}

export interface ExporterParts {
  readonly config: ExporterConfig;
  readonly reader: NamespaceReader;
  readonly logger: Logger;
  readonly build: BuildInfo;
  /** Replaces filesystem discovery; pipeline tests use it with a fixtures-backed reader. */
  readonly discover?: () => Promise<DiscoveryResult>;
  /** The registry (COLLECTORS) unless given: a test runs a collector of its own beside it. */
  readonly collectors?: readonly CollectorDeclaration[];
}

/**
 * The exporter's collection without the exposition: discovery, the enabled collectors and the state
 * kept between scrapes, for whatever reads snapshots (the exporter, `inspect`, `top`). One way of
 * reading namespaces for all of them.
 */
export interface Collection {
  /** One snapshot of the namespaces that pass the --netns.include/exclude filter and `only` (all when not given). */
  collect(options?: { readonly deadline?: number; readonly only?: (name: string) => boolean }): Promise<Snapshot>;
  /** Lists the namespaces (the same discovery a collection runs), filtered by --netns.include/exclude. */
  discover(): Promise<DiscoveryResult>;
  /** The families of the enabled collectors, in exposition order. */
  readonly families: readonly MetricFamily[];
  /** The --netns.labels-file mapping, when one is given (re-read by collect() when it changed). */
  readonly labelsFile: LabelsFileSource | undefined;
}

export type CollectionParts = Omit<ExporterParts, 'build'> & { readonly registry: Registry };

/** Throws LabelsFileError when --netns.labels-file is unreadable or malformed at start. */
export async function createCollection({
  config,
  reader,
  logger,
  discover,
  collectors: registered = COLLECTORS,
  registry,
}: CollectionParts): Promise<Collection> {
  // each enabled collector with its own options, from its own flags (checked by parseFlags)
  const collectors = registered
    .filter((collector) => config.collectors.includes(collector.name))
    .map((collector) => collector.configure(config.collectorFlags, readInOwnNamespace));
  const plan = planCollection(collectors);
  const netnsFilter = nameFilter(config.netnsInclude, config.netnsExclude);
  const labelsFile = config.labelsFile ? await LabelsFileSource.open(config.labelsFile, logger, registry) : undefined;
  // kept from scrape to scrape: readings' shapes, collectors' templates and label values
  const families = familiesOf(collectors);
  const state: CollectionState = {
    cache: new NamespaceCache(),
    intern: new Interner().intern,
    family: new FamilyCache(families).family,
    scrapes: 0,
  };
  const discoverHost =
    discover ??
    (() =>
      discoverNamespaces({
        netnsDirs: config.netnsDirs,
        scanProcesses: config.scanProcesses,
        includeHost: config.includeHost,
        // the processes collector counts from discovery's walk of /proc, made for it even with --no-netns.scan-processes
        listProcesses: config.collectors.includes(processesCollector.name),
      }));
  return {
    families,
    labelsFile,
    discover: async () => {
      const found = await discoverHost();
      return { ...found, namespaces: found.namespaces.filter((ns) => netnsFilter(ns.name)) };
    },
    collect: async ({ deadline, only } = {}) => {
      await labelsFile?.refresh();
      return collectSnapshot({
        discover: discoverHost,
        reader,
        plan,
        netnsFilter: only === undefined ? netnsFilter : (name) => netnsFilter(name) && only(name),
        parallelism: config.parallelism ?? reader.defaultParallelism,
        maxSeries: config.maxSeries,
        logger,
        state,
        deadline,
      });
    },
  };
}

/** Throws LabelsFileError when --netns.labels-file is unreadable or malformed at start. */
export async function createExporter(parts: ExporterParts): Promise<Exporter> {
  const { config, reader, build } = parts;
  const selfMetrics = createSelfMetrics(build);
  const { collect: collectSnapshotOnce, families, labelsFile } = await createCollection({ ...parts, registry: selfMetrics.registry });
  const collection = new SingleFlight<MetricsBody>();
  // kept from scrape to scrape: the label blocks rendered for the collection's label rows
  const labelBlocks = new LabelBlockCache();
  const chunks = new ChunkPool();
  const namespaceLines = new NamespaceLineCache();

  const collect = async (options: ScrapeOptions): Promise<MetricsBody> => {
    const started = performance.now();
    const collected = await collectSnapshotOnce({ deadline: scrapeDeadline(started, options.timeoutSeconds) });
    const timeoutSeconds =
      options.timeoutSeconds !== undefined && Number.isFinite(options.timeoutSeconds) && options.timeoutSeconds > 0
        ? options.timeoutSeconds
        : undefined;
    const snapshot = timeoutSeconds === undefined ? collected : { ...collected, timeoutSeconds };
    // --once output goes to node_exporter's textfile collector, where our process_* would clash with its own.
    const trailer = config.once ? '' : await selfMetrics.render();
    const infoLabels = labelsFile ? (ns: Parameters<typeof labelsFile.labels>[0]) => labelsFile.labels(ns) : undefined;
    return metricsBody(
      (sink) => renderSnapshot(snapshot, families, sink, { trailer, infoLabels, labelBlocks, namespaceLines, chunks }),
      chunks,
    );
  };

  return {
    // The body is inside the single flight too: 50 concurrent scrapes share one rendering, not just one snapshot.
    scrape: (options = {}) => collection.run(() => collect(options)),
    close: () => reader.close(),
  };
}

function scrapeDeadline(started: number, timeoutSeconds: number | undefined): number | undefined {
  if (timeoutSeconds === undefined || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return undefined;
  // A short timeout keeps at least half of itself for collection.
  const usable = Math.max(timeoutSeconds - TIMEOUT_OFFSET_SECONDS, timeoutSeconds / 2);
  return started + usable * 1000;
}
