// /proc/net/stat/nf_conntrack as read inside a namespace: a header line, then one line of hex columns
// per possible CPU. Its first column, `entries`, is the namespace's conntrack count
// (nf_conntrack_count(net) in net/netfilter/nf_conntrack_standalone.c, ct_cpu_seq_show), printed the
// same on every CPU line: the nf_conntrack_count sysctl's value, without the sysctl's lookup cost.

import type { NfConntrackStatTotals } from '../model/records/conntrack-stat.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const HEX_COLUMN = /^[0-9a-f]{1,16}$/;

/** The `entries` value: the number of conntrack entries of the namespace. */
export function parseNfConntrackEntries(text: string): ParseResult<number> {
  // only the header and the first CPU line matter (read once per namespace per scrape: no split)
  const headerEnd = text.indexOf('\n');
  const header = headerEnd === -1 ? text : text.slice(0, headerEnd);
  if (!/^entries\s/.test(header))
    return parseFailure(`line 1: expected a header starting with "entries", got ${JSON.stringify(header.slice(0, 40))}`);
  const rowStart = headerEnd + 1;
  let rowEnd = rowStart;
  while (rowEnd < text.length && text.charCodeAt(rowEnd) > 32) rowEnd++;
  const first = headerEnd === -1 ? '' : text.slice(rowStart, rowEnd);
  if (!HEX_COLUMN.test(first))
    return parseFailure(`line 2: expected a hexadecimal entries column, got ${JSON.stringify(first.slice(0, 40))}`);
  const value = Number.parseInt(first, 16);
  if (!Number.isSafeInteger(value)) return parseFailure(`line 2: ${first} is too large to be a count of entries`);
  return parsed(value);
}

/**
 * The per-CPU counters of the namespace summed per column (node_exporter's node_nf_conntrack_stat_*
 * are these sums). Every row must have one 1-16 digit hex value per header name; anything else, and
 * a file without rows, is a parse error.
 */
export function parseNfConntrackStatTotals(text: string): ParseResult<NfConntrackStatTotals> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const names = (lines[0] ?? '').split(/\s+/).filter((name) => name !== '');
  if (names[0] !== 'entries')
    return parseFailure(`line 1: expected a header starting with "entries", got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  if (new Set(names).size !== names.length) return parseFailure('line 1: a column name appears twice');
  if (lines.length < 2) return parseFailure('line 2: no CPU rows');
  const sums = names.map(() => 0);
  let entries = 0;
  for (let i = 1; i < lines.length; i++) {
    const values = (lines[i] as string).split(/\s+/).filter((value) => value !== '');
    if (values.length !== names.length) return parseFailure(`line ${i + 1}: ${values.length} columns, the header names ${names.length}`);
    for (let j = 0; j < values.length; j++) {
      const value = values[j] as string;
      if (!HEX_COLUMN.test(value))
        return parseFailure(`line ${i + 1}: ${names[j]}: ${JSON.stringify(value.slice(0, 40))} is not hexadecimal`);
      const number = Number.parseInt(value, 16);
      if (j === 0) {
        if (i === 1) entries = number;
      } else {
        sums[j] = (sums[j] as number) + number;
      }
    }
  }
  const totals = new Map<string, number>();
  for (let j = 1; j < names.length; j++) {
    if (!Number.isSafeInteger(sums[j])) return parseFailure(`${names[j]}: the sum is too large to be exact`);
    totals.set(names[j] as string, sums[j] as number);
  }
  if (!Number.isSafeInteger(entries)) return parseFailure(`line 2: entries is too large to be a count of entries`);
  return parsed({ entries, totals, cpus: lines.length - 1, columnsAt: columnsOfFirstRow(lines, names) });
}

function columnsOfFirstRow(lines: readonly string[], names: readonly string[]): NfConntrackStatTotals['columnsAt'] {
  const rowLength = (lines[1] as string).length + 1; // with its newline
  // every row as long, the last one ended by a newline as the others (a kernel's file always is)
  if (lines.slice(1).some((line) => line.length + 1 !== rowLength)) return undefined;
  const firstRowStart = (lines[0] as string).length + 1;
  const at = new Map<string, number>();
  let column = 0;
  for (const word of (lines[1] as string).matchAll(/\S+/g)) at.set(names[column++] as string, firstRowStart + word.index);
  return { at, rowLength };
}

/** A lower-case hexadecimal digit's value (the kernel prints %08x), -1 for any other byte. */
function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Where values may change while the file keeps its shape: every hexadecimal word after the header
 * line. The header, the blanks and the line breaks must stay as they were.
 */
export function nfConntrackStatVolatileRanges(data: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let at = data.indexOf(0x0a) + 1;
  if (at === 0) return ranges;
  while (at < data.length) {
    while (at < data.length && hexDigit(data[at] as number) === -1) at++;
    const start = at;
    while (at < data.length && hexDigit(data[at] as number) !== -1) at++;
    if (at > start) ranges.push([start, at]);
  }
  return ranges;
}

/**
 * A column summed over the CPU rows, read in place: the hexadecimal word at `at` (in the first CPU
 * row) and the one `rowLength` bytes further on, and so on to the end of the file. For a reading with
 * the shape of the one whose parse gave `at` and `rowLength` (columnsAt).
 */
export function sumHexColumn(view: DataView, at: number, rowLength: number): number {
  let sum = 0;
  for (let row = at; row < view.byteLength; row += rowLength) {
    let value = 0;
    for (let i = row; i < view.byteLength; i++) {
      const digit = hexDigit(view.getUint8(i));
      if (digit === -1) break;
      value = value * 16 + digit;
    }
    sum += value;
  }
  return sum;
}
