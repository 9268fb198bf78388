// /proc/net/stat/nf_conntrack as read inside a namespace: a header line, then one line of hex columns
// per possible CPU. Its first column, `entries`, is the namespace's conntrack count
// (nf_conntrack_count(net) in net/netfilter/nf_conntrack_standalone.c, ct_cpu_seq_show), printed the
// same on every CPU line: the nf_conntrack_count sysctl's value, without the sysctl's lookup cost.

import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const HEX_COLUMN = /^[0-9a-f]{1,16}$/;

/** The `entries` value: the number of conntrack entries of the namespace. */
export function parseNfConntrackEntries(text: string): ParseResult<number> {
  // only the header and the first CPU line matter (read once per namespace per scrape: no split)
  const headerEnd = text.indexOf('\n');
  const header = headerEnd === -1 ? text : text.slice(0, headerEnd);
  if (!/^entries\s/.test(header)) return parseFailure(`line 1: expected a header starting with "entries", got ${JSON.stringify(header.slice(0, 40))}`);
  const rowStart = headerEnd + 1;
  let rowEnd = rowStart;
  while (rowEnd < text.length && text.charCodeAt(rowEnd) > 32) rowEnd++;
  const first = headerEnd === -1 ? '' : text.slice(rowStart, rowEnd);
  if (!HEX_COLUMN.test(first)) return parseFailure(`line 2: expected a hexadecimal entries column, got ${JSON.stringify(first.slice(0, 40))}`);
  const value = Number.parseInt(first, 16);
  if (!Number.isSafeInteger(value)) return parseFailure(`line 2: ${first} is too large to be a count of entries`);
  return parsed(value);
}
