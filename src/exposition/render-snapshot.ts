// Snapshot -> Prometheus text, written as bytes to a sink (see body-writer.ts). Families come out in
// a fixed order (namespace info, then each collector's families, then scrape metrics), each with HELP
// and TYPE once and all namespaces' series together, as the format requires. Series are rebuilt from
// the snapshot on every scrape, so a namespace that is gone simply has no lines.
//
// Written for 250,000 series (1,000 Neutron routers): a series line is its family name, its label
// block (rendered once per label-row array and kept, see label-blocks.ts) and its value written
// digit by digit; no string per line is ever made. The loop gives the event loop a turn after every
// chunk it hands on (and at least every few milliseconds) and waits for the sink (gzip) to keep up,
// so /healthz answers while a big scrape is written and the body is never all in memory at once.

import type { NetnsRef } from '../model/netns-ref.js';
import type { MetricFamily, SeriesGroup, Snapshot } from '../model/snapshot.js';
import { BodyWriter, type ChunkPool, type ChunkSink } from './body-writer.js';
import {
  collectionDurationFamily,
  collectorSuccessFamily,
  discoveryErrorsFamily,
  droppedSeriesFamily,
  scrapeTimeoutFamily,
  NAMESPACE_KINDS,
  namespacesFamily,
  netnsInfoFamily,
  scrapeDurationFamily,
  seriesFamily,
  vanishedFamily,
} from './exporter-families.js';
import { withHolderLabels } from './holder-labels.js';
import { LabelBlockCache, type RenderedBlocks } from './label-blocks.js';
import { NamespaceLineCache } from './namespace-lines.js';
import { familyHeader, seriesLine } from './text-format.js';

export interface RenderOptions {
  /** Extra labels for a namespace's netns_info series (from --netns.labels-file). */
  readonly infoLabels?: (ns: NetnsRef) => readonly (readonly [string, string])[];
  /** Longest the loop runs before it yields to the event loop, in milliseconds (default 10). */
  readonly maxSliceMs?: number;
  /** Text written after the snapshot's families: the exporter's own metrics. */
  readonly trailer?: string;
  /** Label blocks kept from earlier scrapes; without one, every block is rendered afresh. */
  readonly labelBlocks?: LabelBlockCache;
  /** Chunks to write into, reused from earlier bodies; without one, every chunk is fresh. */
  readonly chunks?: ChunkPool;
  /** Each namespace's info and success lines kept from earlier scrapes; without one, rendered afresh. */
  readonly namespaceLines?: NamespaceLineCache;
}

/** Every family the exporter can emit from a snapshot, in exposition order. */
export function snapshotFamilies(collectorFamilies: readonly MetricFamily[]): MetricFamily[] {
  return [
    netnsInfoFamily,
    ...collectorFamilies,
    collectorSuccessFamily,
    namespacesFamily,
    scrapeDurationFamily,
    collectionDurationFamily,
    discoveryErrorsFamily,
    vanishedFamily,
    seriesFamily,
    droppedSeriesFamily,
    scrapeTimeoutFamily,
  ];
}

/**
 * What goes under each family: series groups of the namespaces, or finished lines (as text, or
 * rendered). `columns[i]` says which of `groups[i]`'s values are this family's: -1 for a family's
 * own group (all of them), k for the k-th value of a row of several families (RowSeries), whose
 * label block, the same for each of its families, was looked up once (`rowBlocks[i]`).
 */
interface FamilyContent {
  readonly family: MetricFamily;
  readonly groups: SeriesGroup[];
  readonly columns: number[];
  readonly rowBlocks: (RenderedBlocks | undefined)[];
  readonly lines: (string | Buffer)[];
}

/** Groups written between two readings of the clock. */
const CLOCK_EVERY_GROUPS = 32;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Writes the snapshot's exposition to `sink`, chunk by chunk; resolves when the sink took the last one. */
export async function renderSnapshot(
  snapshot: Snapshot,
  collectorFamilies: readonly MetricFamily[],
  sink: ChunkSink,
  options: RenderOptions = {},
): Promise<void> {
  const contents: FamilyContent[] = snapshotFamilies(collectorFamilies).map((family) => ({
    family,
    groups: [],
    columns: [],
    rowBlocks: [],
    lines: [],
  }));
  const byFamily = new Map(contents.map((content) => [content.family, content]));
  const contentOf = (family: MetricFamily): FamilyContent => {
    let content = byFamily.get(family);
    if (content === undefined) {
      // A family no collector declared: still written, after the known ones, rather than lost.
      content = { family, groups: [], columns: [], rowBlocks: [], lines: [] };
      contents.push(content);
      byFamily.set(family, content);
    }
    return content;
  };
  const info = contentOf(netnsInfoFamily);
  const success = contentOf(collectorSuccessFamily);

  const namespaceLines = options.namespaceLines ?? new NamespaceLineCache();
  const labelBlocks = options.labelBlocks ?? new LabelBlockCache();
  const namespacesByKind = new Map<string, number>(NAMESPACE_KINDS.map((kind) => [kind, 0]));
  const seconds = snapshot.collectors.map(() => 0);
  let seriesCount = 0;
  for (const { ns, results } of snapshot.namespaces) {
    namespacesByKind.set(ns.kind, (namespacesByKind.get(ns.kind) ?? 0) + 1);
    info.lines.push(namespaceLines.infoLine(ns, withHolderLabels(ns, options.infoLabels?.(ns))));
    let succeeded = true;
    snapshot.collectors.forEach((collectorName, index) => {
      const result = results.get(collectorName);
      if (!result) {
        succeeded = false; // its line is left out
        return;
      }
      seconds[index] = (seconds[index] ?? 0) + result.seconds;
      if (result.failures.length > 0) succeeded = false;
      for (const group of result.series) {
        if (group.values.length === 0) continue;
        seriesCount += group.values.length;
        if (!('families' in group)) {
          const content = contentOf(group.family);
          content.groups.push(group);
          content.columns.push(-1);
          content.rowBlocks.push(undefined);
          continue;
        }
        const blocks = labelBlocks.blocks(group.families[0]?.labelNames ?? [], group.labels);
        group.families.forEach((family, k) => {
          const content = contentOf(family);
          content.groups.push(group);
          content.columns.push(k);
          content.rowBlocks.push(blocks);
        });
      }
    });
    if (succeeded) {
      success.lines.push(namespaceLines.allSucceeded(ns, snapshot.collectors));
      continue;
    }
    for (const collectorName of snapshot.collectors) {
      const result = results.get(collectorName);
      if (result) success.lines.push(seriesLine(collectorSuccessFamily, [ns.name, collectorName], result.failures.length === 0 ? 1 : 0));
    }
  }
  namespaceLines.rotate();

  const scrape = (family: MetricFamily, labelValues: readonly string[], value: number): void => {
    contentOf(family).lines.push(seriesLine(family, labelValues, value));
  };
  for (const [kind, count] of namespacesByKind) scrape(namespacesFamily, [kind], count);
  scrape(scrapeDurationFamily, ['discovery'], snapshot.discoverySeconds);
  snapshot.collectors.forEach((name, index) => scrape(scrapeDurationFamily, [name], seconds[index] ?? 0));
  scrape(collectionDurationFamily, [], snapshot.durationSeconds);
  scrape(discoveryErrorsFamily, [], snapshot.discoveryErrors.length);
  scrape(vanishedFamily, [], snapshot.vanishedNamespaces);
  scrape(seriesFamily, [], seriesCount);
  scrape(droppedSeriesFamily, [], snapshot.droppedSeries);
  if (snapshot.timeoutSeconds !== undefined) scrape(scrapeTimeoutFamily, [], snapshot.timeoutSeconds);

  const writer = new BodyWriter(sink, options.chunks);
  const maxSliceMs = options.maxSliceMs ?? 10;
  let sliceStarted = performance.now();
  let chunksSeen = 0;
  // the clock is read every few groups, not after each: a router has some 80 groups, most of one
  // series (a netstat field), and a chunk of output, which gives a turn anyway, is 0.6 ms of writing
  let groupsSinceClock = 0;
  for (const { family, groups, columns, rowBlocks, lines } of contents) {
    if (groups.length === 0 && lines.length === 0) continue;
    writer.text(familyHeader(family));
    for (const line of lines) {
      if (typeof line === 'string') writer.text(line);
      else writer.bytes(line);
    }
    const name = Buffer.from(family.name, 'utf8');
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g] as SeriesGroup;
      const column = columns[g] as number;
      const row = rowBlocks[g];
      if (row === undefined || column < 0) {
        const { bytes, ends } = labelBlocks.blocks(family.labelNames, group.labels);
        writer.lines(name, bytes, ends, group.values);
      } else {
        writer.line(name, row.bytes, row.ends[0] ?? 0, group.values[column] as number);
      }
      const behind = writer.drained();
      if (behind !== undefined) {
        await behind; // the sink (zlib) is behind: its 'drain' comes from a later turn of the event loop
        sliceStarted = performance.now();
        chunksSeen = writer.chunksWritten;
      } else if (
        writer.chunksWritten !== chunksSeen ||
        (++groupsSinceClock >= CLOCK_EVERY_GROUPS && performance.now() - sliceStarted >= maxSliceMs)
      ) {
        // A turn of the event loop after every chunk, not only every few milliseconds: zlib compresses
        // one chunk at a time on a libuv thread and takes the next only from a callback on this
        // thread, so while this loop ran on, zlib sat idle; with a turn per chunk (about 0.6 ms of
        // writing) it compresses beside the writing (at 1,000 routers the render-and-gzip tail of a
        // scrape went from about 230 to 170 ms, median of 14 interleaved runs).
        await yieldToEventLoop();
        sliceStarted = performance.now();
        chunksSeen = writer.chunksWritten;
        groupsSinceClock = 0;
      }
      if (groupsSinceClock >= CLOCK_EVERY_GROUPS) groupsSinceClock = 0;
    }
  }
  if (options.trailer) writer.text(options.trailer);
  await writer.end();
}

/** The whole exposition as one string (tests). */
export async function renderSnapshotText(
  snapshot: Snapshot,
  collectorFamilies: readonly MetricFamily[],
  options: RenderOptions = {},
): Promise<string> {
  const chunks: Buffer[] = [];
  await renderSnapshot(snapshot, collectorFamilies, (chunk) => void chunks.push(chunk), options);
  return Buffer.concat(chunks).toString('utf8');
}
