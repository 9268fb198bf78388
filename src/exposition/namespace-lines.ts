// The lines every namespace has once per scrape, rendered to UTF-8 once and kept while the namespace
// is there: its `netns_info` line and, when every collector succeeded, its `netns_collector_success`
// lines. They change only when the namespace or the set of collectors does, yet rebuilt as strings
// every scrape they were a string (and its garbage) per namespace and collector. Owned by the
// exporter; entries of namespaces a scrape did not see are dropped at its end.

import type { NetnsRef } from '../model/netns-ref.js';
import { sameStrings } from '../model/same-strings.js';
import { collectorSuccessFamily, netnsInfoFamily } from './exporter-families.js';
import { seriesLine } from './text-format.js';

type ExtraLabels = readonly (readonly [string, string])[];

interface InfoLine {
  readonly kind: string;
  readonly id: string;
  readonly extra: ExtraLabels;
  readonly bytes: Buffer;
}

interface SuccessLines {
  readonly collectors: readonly string[];
  readonly bytes: Buffer;
}

const NO_EXTRA: ExtraLabels = [];

export class NamespaceLineCache {
  private info = new Map<string, InfoLine>();
  private success = new Map<string, SuccessLines>();
  private nextInfo = new Map<string, InfoLine>();
  private nextSuccess = new Map<string, SuccessLines>();

  /** `netns_info{netns,kind,id,<extra>} 1`. */
  infoLine(ns: NetnsRef, extra: ExtraLabels = NO_EXTRA): Buffer {
    let line = this.info.get(ns.name) ?? this.nextInfo.get(ns.name);
    if (line?.kind !== ns.kind || line.id !== ns.id || !sameLabels(line.extra, extra)) {
      line = {
        kind: ns.kind,
        id: ns.id,
        extra,
        bytes: Buffer.from(seriesLine(netnsInfoFamily, [ns.name, ns.kind, ns.id], 1, extra), 'utf8'),
      };
    }
    this.nextInfo.set(ns.name, line);
    return line.bytes;
  }

  /** `netns_collector_success{netns,collector} 1` for each of `collectors`, in order. */
  allSucceeded(ns: NetnsRef, collectors: readonly string[]): Buffer {
    let lines = this.success.get(ns.name) ?? this.nextSuccess.get(ns.name);
    if (lines === undefined || !sameStrings(lines.collectors, collectors)) {
      const text = collectors.map((collector) => seriesLine(collectorSuccessFamily, [ns.name, collector], 1)).join('');
      lines = { collectors: [...collectors], bytes: Buffer.from(text, 'utf8') };
    }
    this.nextSuccess.set(ns.name, lines);
    return lines.bytes;
  }

  /** Ends a rendering: what it used is what the next one finds. */
  rotate(): void {
    [this.info, this.nextInfo] = [this.nextInfo, new Map<string, InfoLine>()];
    [this.success, this.nextSuccess] = [this.nextSuccess, new Map<string, SuccessLines>()];
  }
}

function sameLabels(a: ExtraLabels, b: ExtraLabels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x?.[0] !== y?.[0] || x?.[1] !== y?.[1]) return false;
  }
  return true;
}
