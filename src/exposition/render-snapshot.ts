// Snapshot -> Prometheus text. Families come out in a fixed order (namespace info, then each
// collector's families, then scrape metrics), each with HELP and TYPE once and all namespaces' series
// together, as the format requires. Series are rebuilt from the snapshot on every scrape, so a
// namespace that is gone simply has no lines.
//
// Written for 250,000 series (1,000 Neutron routers): each namespace's lines are gathered per family
// into one string, flattened (see text-format.ts), and kept until the final join; label blocks are
// built once per label-value array (a collector shares one array between a device's 16 counters or a
// rule's packets and bytes); and the loop gives the event loop a turn every few milliseconds, so
// /healthz answers while a big scrape is written.

import type { Collector } from '../collectors/collector.js';
import type { NetnsRef } from '../discovery/netns-ref.js';
import type { MetricFamily, Sample, Snapshot } from '../snapshot/model.js';
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
import { familyHeader, flattened, formatValue, labelBlock, seriesLine } from './text-format.js';

export interface RenderOptions {
  /** Extra labels for a namespace's netns_info series (from --netns.labels-file). */
  readonly infoLabels?: (ns: NetnsRef) => readonly (readonly [string, string])[];
  /** Longest the loop runs before it yields to the event loop, in milliseconds (default 10). */
  readonly maxSliceMs?: number;
  /**
   * Text written after the snapshot's families (the exporter's own metrics), inside the same final
   * join: appending it afterwards would hand the caller a two-piece rope that every encoding of
   * the body first copies into one flat string (three times the cost of encoding a flat one).
   */
  readonly trailer?: string;
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

/** The text of every family, piece by piece, in exposition order. */
class FamilyTexts {
  private readonly families: MetricFamily[];
  private readonly indexes = new Map<MetricFamily, number>();
  private readonly pieces: string[][];
  /** One namespace's lines per family index, before they are flattened into `pieces`. */
  private readonly pending: (string | undefined)[];
  private readonly touched: number[] = [];

  constructor(families: readonly MetricFamily[]) {
    this.families = [...families];
    this.families.forEach((f, i) => this.indexes.set(f, i));
    this.pieces = this.families.map(() => []);
    this.pending = this.families.map(() => undefined);
  }

  private indexOf(f: MetricFamily): number {
    let index = this.indexes.get(f);
    if (index === undefined) {
      // A family no collector declared: still written, after the known ones, rather than lost.
      index = this.families.length;
      this.families.push(f);
      this.indexes.set(f, index);
      this.pieces.push([]);
      this.pending.push(undefined);
    }
    return index;
  }

  add(f: MetricFamily, text: string): void {
    this.pieces[this.indexOf(f)]?.push(text);
  }

  /** Writes a namespace's samples; they land in `pieces` at the next endNamespace(). */
  addSamples(samples: readonly Sample[]): void {
    let lastFamily: MetricFamily | undefined;
    let lastIndex = -1;
    let lastValues: readonly string[] | undefined;
    let lastNames: readonly string[] | undefined;
    let block = '';
    for (const sample of samples) {
      const f = sample.family;
      if (f !== lastFamily) {
        lastFamily = f;
        lastIndex = this.indexOf(f);
      }
      if (sample.labelValues !== lastValues || f.labelNames !== lastNames) {
        lastValues = sample.labelValues;
        lastNames = f.labelNames;
        block = labelBlock(f.labelNames, sample.labelValues);
      }
      const line = `${f.name}${block} ${formatValue(sample.value)}\n`;
      const before = this.pending[lastIndex];
      if (before === undefined) {
        this.touched.push(lastIndex);
        this.pending[lastIndex] = line;
      } else {
        this.pending[lastIndex] = before + line;
      }
    }
  }

  endNamespace(): void {
    for (const index of this.touched) {
      this.pieces[index]?.push(flattened(this.pending[index] as string));
      this.pending[index] = undefined;
    }
    this.touched.length = 0;
  }

  join(trailer: string): string {
    const out: string[] = [];
    this.families.forEach((f, i) => {
      const pieces = this.pieces[i] as string[];
      if (pieces.length === 0) return;
      out.push(familyHeader(f));
      for (const piece of pieces) out.push(piece);
    });
    out.push(trailer);
    return out.join('');
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function renderSnapshot(
  snapshot: Snapshot,
  collectors: readonly Collector[],
  options: RenderOptions = {},
): Promise<string> {
  const texts = new FamilyTexts(snapshotFamilies(collectors));
  const namespacesByKind = new Map<string, number>(NAMESPACE_KINDS.map((kind) => [kind, 0]));
  const secondsByCollector = new Map<string, number>(snapshot.collectors.map((name) => [name, 0]));
  let seriesCount = 0;
  const maxSliceMs = options.maxSliceMs ?? 10;
  let sliceStarted = performance.now();

  for (const { ns, results } of snapshot.namespaces) {
    if (performance.now() - sliceStarted >= maxSliceMs) {
      await yieldToEventLoop();
      sliceStarted = performance.now();
    }
    namespacesByKind.set(ns.kind, (namespacesByKind.get(ns.kind) ?? 0) + 1);
    texts.add(netnsInfoFamily, seriesLine(netnsInfoFamily, [ns.name, ns.kind, ns.id], 1, options.infoLabels?.(ns)));
    for (const collectorName of snapshot.collectors) {
      const result = results.get(collectorName);
      if (!result) continue;
      secondsByCollector.set(collectorName, (secondsByCollector.get(collectorName) ?? 0) + result.seconds);
      texts.add(
        collectorSuccessFamily,
        seriesLine(collectorSuccessFamily, [ns.name, collectorName], result.failures.length === 0 ? 1 : 0),
      );
      texts.addSamples(result.samples);
      seriesCount += result.samples.length;
    }
    texts.endNamespace();
  }

  for (const [kind, count] of namespacesByKind) texts.add(namespacesFamily, seriesLine(namespacesFamily, [kind], count));
  texts.add(scrapeDurationFamily, seriesLine(scrapeDurationFamily, ['discovery'], snapshot.discoverySeconds));
  for (const [name, seconds] of secondsByCollector) {
    texts.add(scrapeDurationFamily, seriesLine(scrapeDurationFamily, [name], seconds));
  }
  texts.add(collectionDurationFamily, seriesLine(collectionDurationFamily, [], snapshot.durationSeconds));
  texts.add(discoveryErrorsFamily, seriesLine(discoveryErrorsFamily, [], snapshot.discoveryErrors.length));
  texts.add(vanishedFamily, seriesLine(vanishedFamily, [], snapshot.vanishedNamespaces));
  texts.add(seriesFamily, seriesLine(seriesFamily, [], seriesCount));
  texts.add(droppedSeriesFamily, seriesLine(droppedSeriesFamily, [], snapshot.droppedSeries));
  // The final join copies the whole body at once (about 40 ms for 37 MB, 1,000 routers, on the
  // bench machine), and the caller's encoding of it for the response is the next such step: each
  // gets a turn of the event loop of its own, so /healthz waits for one of them at most.
  await yieldToEventLoop();
  const body = texts.join(options.trailer ?? '');
  await yieldToEventLoop();
  return body;
}
