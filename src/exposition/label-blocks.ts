// The `{name="value",...} ` part of every series line, rendered to UTF-8 once per label-row array
// and kept while that array lives (a WeakMap: when a collector stops handing an array back, its
// bytes go with it). Collectors reuse their arrays while a namespace does not change, so most
// scrapes render no label at all and only write values.

import type { LabelRows } from '../snapshot/model.js';
import { labelBlock } from './text-format.js';

/** Blocks of one row array for one set of label names: block i is bytes[ends[i-1] .. ends[i]). */
export interface RenderedBlocks {
  readonly bytes: Buffer;
  readonly ends: Uint32Array;
}

export class LabelBlockCache {
  private readonly byRows = new WeakMap<LabelRows, Map<readonly string[], RenderedBlocks>>();

  blocks(labelNames: readonly string[], rows: LabelRows): RenderedBlocks {
    let byNames = this.byRows.get(rows);
    if (byNames === undefined) {
      byNames = new Map();
      this.byRows.set(rows, byNames);
    }
    let rendered = byNames.get(labelNames);
    if (rendered === undefined) {
      rendered = render(labelNames, rows);
      byNames.set(labelNames, rendered);
    }
    return rendered;
  }
}

function render(labelNames: readonly string[], rows: LabelRows): RenderedBlocks {
  let text = '';
  const lengths: number[] = [];
  for (const row of rows) {
    const block = `${labelBlock(labelNames, row)} `;
    lengths.push(Buffer.byteLength(block, 'utf8'));
    text += block;
  }
  const bytes = Buffer.from(text, 'utf8');
  const ends = new Uint32Array(lengths.length);
  let end = 0;
  for (let i = 0; i < lengths.length; i++) {
    end += lengths[i] as number;
    ends[i] = end;
  }
  return { bytes, ends };
}
