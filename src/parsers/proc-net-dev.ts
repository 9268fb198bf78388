// /proc/net/dev: two header lines, then one line per interface with 16 counters.
// The kernel prints each line with "%6s: %7llu %7llu ..." (net/core/net-procfs.c, dev_seq_printf_stats),
// so a name longer than six characters pushes the columns right and only whitespace separates them.

import { type NetDevRecord, RECEIVE_COUNTERS, TRANSMIT_COUNTERS } from '../model/records/net-dev.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const COUNTER_COUNT = RECEIVE_COUNTERS.length + TRANSMIT_COUNTERS.length;
const DECIMAL = /^\d+$/;

/**
 * Parses the whole of /proc/net/dev as read inside one namespace.
 * Counters are u64 in the kernel; above 2^53 a JS number loses the last digits, which Prometheus'
 * float64 samples would lose anyway.
 */
export function parseProcNetDev(text: string): ParseResult<NetDevRecord[]> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  const headerProblem = checkHeader(lines);
  if (headerProblem !== undefined) return parseFailure(headerProblem);

  const records: NetDevRecord[] = [];
  for (let index = 2; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index] as string;
    // Names cannot contain ':' today, but interface aliases once could ("eth0:1"); the counters never do.
    const colon = line.lastIndexOf(':');
    if (colon === -1) return parseFailure(`/proc/net/dev line ${lineNumber}: no ':' after the interface name`);
    const device = line.slice(0, colon).trim();
    if (device === '') return parseFailure(`/proc/net/dev line ${lineNumber}: empty interface name`);

    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (fields.length !== COUNTER_COUNT) {
      return parseFailure(`/proc/net/dev line ${lineNumber} (${device}): ${fields.length} counters, expected ${COUNTER_COUNT}`);
    }
    const values: number[] = [];
    for (const field of fields) {
      if (!DECIMAL.test(field))
        return parseFailure(`/proc/net/dev line ${lineNumber} (${device}): counter '${field}' is not a decimal number`);
      values.push(Number(field));
    }
    records.push({
      device,
      receive: zip(RECEIVE_COUNTERS, values.slice(0, RECEIVE_COUNTERS.length)),
      transmit: zip(TRANSMIT_COUNTERS, values.slice(RECEIVE_COUNTERS.length)),
    });
  }
  return parsed(records);
}

// The second header line names the columns; checking it catches a kernel that reorders or adds columns
// before it silently shifts every counter into the wrong metric.
function checkHeader(lines: readonly string[]): string | undefined {
  const [first, second] = lines;
  if (!first?.startsWith('Inter-|')) return `/proc/net/dev line 1: expected the 'Inter-|' header`;
  if (second === undefined) return `/proc/net/dev line 2: missing the column header`;
  const sections = second.split('|');
  if (sections.length !== 3) return `/proc/net/dev line 2: expected 3 '|'-separated sections in the column header`;
  const receive = (sections[1] as string).trim().split(/\s+/);
  const transmit = (sections[2] as string).trim().split(/\s+/);
  if (receive.join(' ') !== RECEIVE_COUNTERS.join(' ') || transmit.join(' ') !== TRANSMIT_COUNTERS.join(' ')) {
    return `/proc/net/dev line 2: unexpected columns '${second.trim()}'`;
  }
  return undefined;
}

function zip<K extends string>(keys: readonly K[], values: readonly number[]): Record<K, number> {
  const record = {} as Record<K, number>;
  keys.forEach((key, i) => {
    record[key] = values[i] as number;
  });
  return record;
}
