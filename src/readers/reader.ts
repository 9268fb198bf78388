// The boundary around entering namespaces: a namespace and a list of sources in, raw bytes out.
// Each backend turns the sources' declarations (sources/source.ts) into its own reads; nothing here
// parses, and nothing here knows one input from another.

import type { NetnsRef } from '../model/netns-ref.js';
import type { ReaderError } from '../model/reader-error.js';
import type { AnyNamespaceSource, AnySource } from '../sources/source.js';

/** Who read it, and so whose declaration parses it: a backend inside the namespace, or the host. */
export type BackendName = 'exec' | 'native' | 'host';

/** What one source gave: bytes to parse with that backend's declaration, or why there are none. */
export type Reading =
  | { readonly ok: true; readonly backend: BackendName; readonly data: Buffer }
  | { readonly ok: false; readonly error: ReaderError };

export type Readings = ReadonlyMap<AnySource, Reading>;

export interface NamespaceReader {
  /** Backend name for logs and the build-info metric. */
  readonly name: string;
  /** Reads this backend keeps under way at once, unless --collector.parallelism says otherwise. */
  readonly defaultParallelism: number;
  /**
   * Reads every source inside `ns`. Never rejects: a failure is a Reading with ok=false, and a
   * namespace that cannot be entered at all yields that error for every source. Sources that share
   * a native read get the very same bytes.
   */
  read(ns: NetnsRef, sources: readonly AnyNamespaceSource[], signal?: AbortSignal): Promise<Readings>;
  /** Releases threads or processes; pending reads settle first. */
  close(): Promise<void>;
}

/** The same reading for every source: a namespace that could not be entered, a read that never ran. */
export function everySource(sources: readonly AnySource[], reading: Reading): Readings {
  return new Map(sources.map((source) => [source, reading]));
}
