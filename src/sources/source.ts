// What a source is: one input, declared once with everything the backends need to know about it.
// Most are read inside a namespace: what the exec backend runs or reads, what the native backend
// asks its threads for, when the answer means "nothing here", and how its bytes are parsed into
// typed records. A few are files of the host about a namespace (Neutron's HA state), read alike by
// both backends. Readers turn declarations into reads; the pipeline parses; collectors see records.

import type { NetnsRef } from '../model/netns-ref.js';
import type { ParseResult } from '../parsers/parse-result.js';

/** How the exec backend gets the input inside the namespace (see readers/exec/read-script.ts). */
export type ExecRead =
  /** A file, copied with cat; a missing file is "not present". */
  | { readonly kind: 'file'; readonly path: string }
  /**
   * A tool, run under `timeout`. With `onlyIfTablesIn`, only when that x_tables names file lists a
   * table (no file, or an empty one: not present); a names file the exporter may not read still runs
   * the tool, so that its refusal is reported rather than taken for "no tables".
   */
  | {
      readonly kind: 'tool';
      readonly argv: readonly string[];
      readonly onlyIfTablesIn?: string;
      /** What error details call it, where argv is too long to quote (a script): `tc -s -j (script)`. */
      readonly description?: string;
    };

/** How the native backend gets the input (see readers/native/native-reader.ts and native/src/requests.c). */
export type NativeRead =
  /** A file under /proc/thread-self/net/, read on a thread that entered the namespace. */
  | { readonly kind: 'file'; readonly path: string }
  /**
   * Netlink requests sent one after the other on one socket; the answer is every reply message. With
   * `ingressFilters`, the addon then dumps the ingress filters of every device whose ingress or clsact
   * qdisc is among the replies (the kernel dumps filters one device at a time).
   */
  | { readonly kind: 'netlink'; readonly protocol: number; readonly messages: Buffer; readonly ingressFilters?: boolean }
  /** Every legacy x_tables table of one family, framed by the addon (parsers/netlink/xtables-entries.ts). */
  | { readonly kind: 'xtables'; readonly family: 4 | 6 }
  /**
   * A file read in the exporter's own namespace (a kernel-wide value), where `presentWith` is
   * present inside the namespace; one reading serves a scrape (re-read after a second).
   */
  | { readonly kind: 'home-file'; readonly path: string; readonly presentWith: NativeRead };

/**
 * Where a binary reading's counters are, for "same shape, new counters": a later reading equal to a
 * kept one outside `volatileRanges` has the same records, and only its counters need reading again,
 * at the offsets the parse found (see pipeline/series-templates.ts).
 */
export interface BinaryLayout<T> {
  readonly kind: 'binary';
  /** Byte ranges that may change while the records stay the same: counters, netlink sequence numbers. */
  volatileRanges(data: Buffer, parsed: T): [number, number][];
  /** A counter at `at`; `kind` tells counters of different encodings apart (0 when there is one). */
  readCounter(view: DataView, at: number, kind: number): number;
}

/**
 * For /proc text whose records only change in their numbers (snmp, netstat, sockstat): a later
 * reading with the same words around its numbers has the same records, and a counter's `at` is the
 * byte offset of its number in the text (pipeline/text-shape.ts).
 */
export const NUMBERS_IN_TEXT = Object.freeze({ kind: 'numbers-in-text' } as const);

export type ReadingLayout<T> = BinaryLayout<T> | typeof NUMBERS_IN_TEXT;

interface SourceBackend<T> {
  parse(data: Buffer): ParseResult<T>;
  /**
   * Only for readings refilled in place (binary ones, and /proc text). Sources that share one read
   * declare one layout (planCollection refuses others at start: the pipeline keeps one shape per read).
   */
  readonly layout?: ReadingLayout<T>;
}

export interface ExecSource<T> extends SourceBackend<T> {
  readonly read: ExecRead;
}

export interface NativeSource<T> extends SourceBackend<T> {
  /** Sources answered by one read declare the very same object: the read is made once for all of them. */
  readonly read: NativeRead;
  /** errno names that mean "nothing here" rather than failure (ENOENT: module not loaded). */
  readonly absentWhen?: readonly string[];
  /** Bytes that mean "nothing here" (an x_tables answer that lists no table). */
  emptyWhen?(data: Buffer): boolean;
}

/** An input read inside the namespace. */
export interface NamespaceSource<T> {
  /** Names the input in logs and in the exec read's framing: lower case, digits and '-'. */
  readonly name: string;
  readonly exec: ExecSource<T>;
  readonly native: NativeSource<T>;
}

/** What the host reader knows of a host file besides its bytes, taken when it read them. */
export interface HostFileFacts {
  /** When the file was last written (its mtime), in seconds since the epoch. */
  readonly modifiedSeconds: number;
}

/** A file of the host (the exporter's own mount namespace) about a namespace; a missing file is "not present". */
export interface HostSource<T> {
  readonly name: string;
  readonly host: {
    /** The file for this namespace, or undefined where it has none (not a router, an id that is no UUID, no directory configured). */
    path(ns: NetnsRef): string | undefined;
    /** Its bytes, and when it was written (a role change's time, for the HA state file). */
    parse(data: Buffer, file: HostFileFacts): ParseResult<T>;
  };
}

export type Source<T> = NamespaceSource<T> | HostSource<T>;

/** Sources whose record type does not matter here (readers, the pipeline's bookkeeping). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySource = Source<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNamespaceSource = NamespaceSource<any>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isHostSource(source: AnySource): source is HostSource<any> {
  return 'host' in source;
}

/** The read script passes a tool at most this many words (see readers/exec/read-script.ts). */
export const MAX_EXEC_ARGV = 8;

function checkName(name: string): void {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`source name ${JSON.stringify(name)}: lower case, digits and '-' only`);
}

/** Checks a declaration once, at start-up: a bad one is a bug, so it throws. */
export function defineHostSource<T>(source: HostSource<T>): HostSource<T> {
  checkName(source.name);
  return Object.freeze(source);
}

/** Checks a declaration once, at start-up: a bad one is a bug, so it throws. */
export function defineSource<T>(source: NamespaceSource<T>): NamespaceSource<T> {
  checkName(source.name);
  const { read } = source.exec;
  if (read.kind === 'tool' && (read.argv.length === 0 || read.argv.length > MAX_EXEC_ARGV)) {
    throw new Error(`source ${source.name}: a tool takes 1 to ${MAX_EXEC_ARGV} words, not ${read.argv.length}`);
  }
  return Object.freeze(source);
}
