// The `{name="value",...} ` part of every series line, rendered to UTF-8 once per label-row array
// and kept while that array lives (a WeakMap: when a collector stops handing an array back, its
// bytes go with it). Collectors reuse their arrays while a namespace does not change, so most
// scrapes render no label at all and only write values.

import type { LabelRows } from '../model/snapshot.js';
import { sameStrings } from '../model/same-strings.js';
import { labelBlock } from './text-format.js';

/**
 * Blocks of one row array for one set of label names: block i is bytes[ends[i-1] .. ends[i]). `ends`
 * is a plain array: most row arrays hold one row, and a typed array of one number costs an array
 * buffer object besides (about 150 bytes more a row array, 7 MB at 1,000 routers).
 */
export interface RenderedBlocks {
  readonly bytes: Buffer;
  readonly ends: readonly number[];
}

interface CachedBlocks extends RenderedBlocks {
  readonly labelNames: readonly string[];
}

export class LabelBlockCache {
  private readonly byRows = new WeakMap<LabelRows, CachedBlocks>();

  /**
   * A row array is used with one list of label names (families that share rows, such as a rule's
   * packets and bytes, have equal lists); another list replaces the entry.
   */
  blocks(labelNames: readonly string[], rows: LabelRows): RenderedBlocks {
    let cached = this.byRows.get(rows);
    if (cached === undefined || !sameStrings(cached.labelNames, labelNames)) {
      cached = { labelNames, ...render(labelNames, rows) };
      this.byRows.set(rows, cached);
    }
    return cached;
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
  const ends: number[] = [];
  let end = 0;
  for (const length of lengths) {
    end += length;
    ends.push(end);
  }
  return { bytes, ends };
}
