// Snapshot -> Prometheus text. Families come out in a fixed order (namespace info, then each
// collector's families, then scrape metrics), each with HELP and TYPE once and all namespaces' series
// together, as the format requires. Series are rebuilt from the snapshot on every scrape, so a
// namespace that is gone simply has no lines.

import type { Collector } from '../collectors/collector.js';
import type { NetnsRef } from '../discovery/netns-ref.js';
import type { MetricFamily, Snapshot } from '../snapshot/model.js';
import {
  collectionDurationFamily,
  collectorSuccessFamily,
  discoveryErrorsFamily,
  droppedSeriesFamily,
  NAMESPACE_KINDS,
  namespacesFamily,
  netnsInfoFamily,
  scrapeDurationFamily,
  seriesFamily,
  vanishedFamily,
} from './exporter-families.js';
import { familyHeader, seriesLine } from './text-format.js';

export interface RenderOptions {
  /** Extra labels for a namespace's netns_info series (from --netns.labels-file). */
  readonly infoLabels?: (ns: NetnsRef) => readonly (readonly [string, string])[];
  /** Yield to the event loop after this many namespaces, so /healthz answers during a big render. */
  readonly yieldEvery?: number;
}

/** Every family the exporter can emit from a snapshot, in exposition order. */
export function snapshotFamilies(collectors: readonly Collector[]): MetricFamily[] {
  return [
    netnsInfoFamily,
    ...collectors.flatMap((collector) => [...collector.families]),
    collectorSuccessFamily,
    namespacesFamily,
    scrapeDurationFamily,
    collectionDurationFamily,
    discoveryErrorsFamily,
    vanishedFamily,
    seriesFamily,
    droppedSeriesFamily,
  ];
}

export async function renderSnapshot(
  snapshot: Snapshot,
  collectors: readonly Collector[],
  options: RenderOptions = {},
): Promise<string> {
  const families = snapshotFamilies(collectors);
  const linesByFamily = new Map<MetricFamily, string[]>(families.map((f) => [f, []]));
  const lines = (f: MetricFamily): string[] => {
    let list = linesByFamily.get(f);
    if (!list) {
      // A family no collector declared: still written, after the known ones, rather than lost.
      list = [];
      linesByFamily.set(f, list);
    }
    return list;
  };

  const namespacesByKind = new Map<string, number>(NAMESPACE_KINDS.map((kind) => [kind, 0]));
  const secondsByCollector = new Map<string, number>(snapshot.collectors.map((name) => [name, 0]));
  let seriesCount = 0;
  const yieldEvery = options.yieldEvery ?? 200;

  for (const [index, { ns, results }] of snapshot.namespaces.entries()) {
    if (index > 0 && index % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
    namespacesByKind.set(ns.kind, (namespacesByKind.get(ns.kind) ?? 0) + 1);
    lines(netnsInfoFamily).push(seriesLine(netnsInfoFamily, [ns.name, ns.kind, ns.id], 1, options.infoLabels?.(ns)));
    for (const collectorName of snapshot.collectors) {
      const result = results.get(collectorName);
      if (!result) continue;
      secondsByCollector.set(collectorName, (secondsByCollector.get(collectorName) ?? 0) + result.seconds);
      lines(collectorSuccessFamily).push(
        seriesLine(collectorSuccessFamily, [ns.name, collectorName], result.failures.length === 0 ? 1 : 0),
      );
      for (const sample of result.samples) {
        lines(sample.family).push(seriesLine(sample.family, sample.labelValues, sample.value));
      }
      seriesCount += result.samples.length;
    }
  }

  for (const [kind, count] of namespacesByKind) lines(namespacesFamily).push(seriesLine(namespacesFamily, [kind], count));
  lines(scrapeDurationFamily).push(seriesLine(scrapeDurationFamily, ['discovery'], snapshot.discoverySeconds));
  for (const [name, seconds] of secondsByCollector) {
    lines(scrapeDurationFamily).push(seriesLine(scrapeDurationFamily, [name], seconds));
  }
  lines(collectionDurationFamily).push(seriesLine(collectionDurationFamily, [], snapshot.durationSeconds));
  lines(discoveryErrorsFamily).push(seriesLine(discoveryErrorsFamily, [], snapshot.discoveryErrors.length));
  lines(vanishedFamily).push(seriesLine(vanishedFamily, [], snapshot.vanishedNamespaces));
  lines(seriesFamily).push(seriesLine(seriesFamily, [], seriesCount));
  lines(droppedSeriesFamily).push(seriesLine(droppedSeriesFamily, [], snapshot.droppedSeries));

  const out: string[] = [];
  for (const [f, familyLines] of linesByFamily) {
    if (familyLines.length === 0) continue;
    out.push(familyHeader(f));
    out.push(familyLines.join(''));
  }
  return out.join('');
}
