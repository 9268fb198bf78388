// The namespace's conntrack count, the conntrack table's limit, and the per-CPU statistics.

import type { NfConntrackStatTotals } from '../model/records/conntrack-stat.js';
import {
  nfConntrackStatVolatileRanges,
  parseNfConntrackEntries,
  parseNfConntrackStatTotals,
  sumHexColumn,
} from '../parsers/nf-conntrack-stat.js';
import { parseProcInteger } from '../parsers/proc-integer.js';
import { defineSource, type BinaryLayout, type NativeRead } from './source.js';

// The count of the namespace the thread is in, in the `entries` column. Not the nf_conntrack_count
// sysctl: every namespace registers its own sysctl entries under the same name, and a lookup walks
// all of them, so reading the sysctl in each of N namespaces costs O(N^2) (docs/performance.md,
// "Figures behind the code"). thread-self, not self: setns moved only the thread.
const CONNTRACK_STAT: NativeRead = { kind: 'file', path: '/proc/thread-self/net/stat/nf_conntrack' };

const integerText = (data: Buffer) => parseProcInteger(data.toString('utf8'));

export const conntrackCountSource = defineSource<number>({
  name: 'conntrack-count',
  exec: { read: { kind: 'file', path: '/proc/sys/net/netfilter/nf_conntrack_count' }, parse: integerText },
  native: {
    read: CONNTRACK_STAT,
    absentWhen: ['ENOENT'], // nf_conntrack not loaded
    parse: (data) => parseNfConntrackEntries(data.toString('utf8')),
  },
});

export const conntrackMaxSource = defineSource<number>({
  name: 'conntrack-max',
  exec: { read: { kind: 'file', path: '/proc/sys/net/netfilter/nf_conntrack_max' }, parse: integerText },
  native: {
    // one kernel global, read-only in every namespace but the initial one: read in the exporter's own
    // namespace, wherever conntrack is present in this one
    read: { kind: 'home-file', path: '/proc/sys/net/netfilter/nf_conntrack_max', presentWith: CONNTRACK_STAT },
    absentWhen: ['ENOENT'],
    parse: integerText,
  },
});

/**
 * The file keeps its shape while only its hexadecimal values move (every value is %08x). A counter's
 * `at` is its column in the first CPU row and its kind the length of a row: the column is summed over
 * the rows in place (sumHexColumn). A template holds one kind for all its series, and every series of
 * this file has the same row length, so a length past 255 is kept whole.
 */
const CONNTRACK_STAT_LAYOUT: BinaryLayout<unknown> = {
  kind: 'binary',
  volatileRanges: (data) => nfConntrackStatVolatileRanges(data),
  readCounter: (view, at, rowLength) => sumHexColumn(view, at, rowLength > 0 ? rowLength : view.byteLength),
};

const parseStat = (data: Buffer) => parseNfConntrackStatTotals(data.toString('latin1'));

/** The statistics of the namespace's conntrack table (found, insert_failed, drop, early_drop, ...). */
export const conntrackStatSource = defineSource<NfConntrackStatTotals>({
  name: 'conntrack-stat',
  exec: { read: { kind: 'file', path: '/proc/net/stat/nf_conntrack' }, parse: parseStat, layout: CONNTRACK_STAT_LAYOUT },
  native: {
    // the very read conntrack-count makes: one file read serves both (count declares no layout, so
    // this is the one the pipeline keeps the read's shape by)
    read: CONNTRACK_STAT,
    absentWhen: ['ENOENT'],
    parse: parseStat,
    layout: CONNTRACK_STAT_LAYOUT,
  },
});
