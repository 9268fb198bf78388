// The boundary around entering namespaces: a namespace and a list of requests in, raw bytes out.
// Everything on the far side (nsenter processes today, a native setns addon later) is replaceable
// without touching parsers, collectors or exposition.

import type { NetnsRef } from '../discovery/netns-ref.js';

/** One thing a collector needs read inside a namespace. */
export type ReadRequest =
  | 'net-dev' // interface counters: /proc/net/dev's 16 columns (exec reads the file; native the link dump's IFLA_STATS64)
  | 'links' // interface attributes: operstate, MTU, address
  | 'iptables-nft-ipv4'
  | 'iptables-nft-ipv6'
  | 'iptables-legacy-ipv4'
  | 'iptables-legacy-ipv6'
  | 'conntrack-count' // the namespace's conntrack entries
  | 'conntrack-max'; // the conntrack table's limit (one kernel-wide value)

export const ALL_READ_REQUESTS: readonly ReadRequest[] = [
  'net-dev',
  'links',
  'iptables-nft-ipv4',
  'iptables-nft-ipv6',
  'iptables-legacy-ipv4',
  'iptables-legacy-ipv6',
  'conntrack-count',
  'conntrack-max',
];

export type ReaderErrorKind =
  | 'vanished' // the namespace (or the process holding it) is gone
  | 'enter-denied' // setns/nsenter refused: missing capability
  | 'timeout' // the read took longer than --collector.timeout
  | 'not-present' // nothing to read and nothing wrong: no legacy tables, conntrack not loaded
  | 'tool-failed' // a tool exited non-zero or is missing
  | 'parse'; // bytes came back but did not parse

export interface ReaderError {
  readonly kind: ReaderErrorKind;
  /** Goes into the log line, never into a label. */
  readonly detail: string;
}

/**
 * Raw bytes for one request, tagged with their format so a collector picks the matching parser:
 * the exec backend returns tool output (`ip -j link` JSON, `iptables-save -c` text); a native
 * backend may return netlink messages for the same request.
 */
/** 'xt-entries': legacy x_tables blobs as the native reader frames them (src/parsers/netlink/xtables-entries.ts). */
/** 'nf-conntrack-stat': /proc/net/stat/nf_conntrack (src/parsers/nf-conntrack-stat.ts). */
export type RawFormat = 'text' | 'ip-link-json' | 'iptables-save' | 'rtnetlink' | 'nfnetlink' | 'xt-entries' | 'nf-conntrack-stat';

export type Reading =
  | { readonly ok: true; readonly format: RawFormat; readonly data: Buffer }
  | { readonly ok: false; readonly error: ReaderError };

export type Readings = ReadonlyMap<ReadRequest, Reading>;

export interface NamespaceReader {
  /** Backend name for logs and the build-info metric. */
  readonly name: string;
  /**
   * Reads worth having submitted at once, when more than --collector.parallelism: the native
   * reader's threads read one namespace each, and a deeper queue keeps them busy while the main
   * thread parses, and lets finished reads come back in bigger batches.
   */
  readonly queueDepth?: number;
  /**
   * Reads every request inside `ns`. Never rejects: a failure is a Reading with ok=false, and a
   * namespace that cannot be entered at all yields that error for every request.
   */
  read(ns: NetnsRef, requests: readonly ReadRequest[], signal?: AbortSignal): Promise<Readings>;
  /** Releases threads or processes; pending reads settle first. */
  close(): Promise<void>;
}
