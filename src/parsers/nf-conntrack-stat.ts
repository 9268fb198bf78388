// /proc/net/stat/nf_conntrack as read inside a namespace: a header line, then one line of hex columns
// per possible CPU. Its first column, `entries`, is the namespace's conntrack count
// (nf_conntrack_count(net) in net/netfilter/nf_conntrack_standalone.c, ct_cpu_seq_show), printed the
// same on every CPU line: the nf_conntrack_count sysctl's value, without the sysctl's lookup cost.

import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const HEX_COLUMN = /^[0-9a-f]{1,16}$/;

/** The `entries` value: the number of conntrack entries of the namespace. */
export function parseNfConntrackEntries(text: string): ParseResult<number> {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  if (header[0] !== 'entries') return parseFailure(`line 1: expected a header starting with "entries", got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  const first = (lines[1] ?? '').trim().split(/\s+/)[0] ?? '';
  if (!HEX_COLUMN.test(first)) return parseFailure(`line 2: expected a hexadecimal entries column, got ${JSON.stringify(first.slice(0, 40))}`);
  const value = Number.parseInt(first, 16);
  if (!Number.isSafeInteger(value)) return parseFailure(`line 2: ${first} is too large to be a count of entries`);
  return parsed(value);
}
