// The sample collector's parser (README, "Adding a collector"; in a real collector this file is
// src/parsers/proc-net-xfrm-stat.ts): /proc/net/xfrm_stat, the IPsec (XFRM) error counters of a
// namespace, one `Name<spaces>\t<count>` line each (net/xfrm/xfrm_proc.c). Pure: text in, records out.

import { parsed, parseFailure, type ParseResult } from '../../../src/parsers/parse-result.js';

export interface XfrmStatRecord {
  /** As printed: XfrmInNoStates, XfrmOutPolBlock, ... */
  readonly statistic: string;
  readonly value: number;
  /** Where the value's digits start in the text: a later reading with the same words is refilled there. */
  readonly at: number;
}

const LINE = /^(Xfrm[A-Za-z]+)\s+(\d+)$/;

export function parseXfrmStat(text: string): ParseResult<XfrmStatRecord[]> {
  const records: XfrmStatRecord[] = [];
  let lineStart = 0;
  for (const [i, line] of text.split('\n').entries()) {
    const at = lineStart;
    lineStart += line.length + 1;
    if (line === '') continue;
    const match = LINE.exec(line);
    if (match === null) return parseFailure(`line ${i + 1}: expected "XfrmName <count>", got ${JSON.stringify(line.slice(0, 40))}`);
    const [, statistic = '', digits = ''] = match;
    records.push({ statistic, value: Number(digits), at: at + line.length - digits.length });
  }
  if (records.length === 0) return parseFailure('line 1: empty file, expected "XfrmName <count>" lines');
  return parsed(records);
}
