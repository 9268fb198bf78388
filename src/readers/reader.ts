// The boundary around entering namespaces: a namespace and a list of sources in, raw bytes out.
// Each backend turns the sources' declarations (sources/source.ts) into its own reads; nothing here
// parses, and nothing here knows one input from another.

import type { NetnsRef } from '../model/netns-ref.js';
import type { ReaderError } from '../model/reader-error.js';
import type { AnyNamespaceSource, AnySource, HostFileFacts } from '../sources/source.js';

type AnyHostSource = Extract<AnySource, { readonly host: unknown }>;

/** The declaration that parses a reading made inside a namespace: `source.native` or `source.exec`, as the backend read it. */
export type NamespaceReadingDeclaration = AnyNamespaceSource['native'] | AnyNamespaceSource['exec'];

/**
 * The declaration that parses a reading: its source's declaration for the backend that read it
 * (`source.native`, `source.exec` or `source.host`), with the layout a refill reads its counters by.
 */
export type ReadingDeclaration = NamespaceReadingDeclaration | AnyHostSource['host'];

interface ReadBytes {
  readonly ok: true;
  readonly data: Buffer;
  /**
   * Which read of the namespace gave these bytes, numbered by the position (in the list of
   * sources read) of the first source it answers: sources answered by one read (the native link
   * dump serves net-dev and links) have the same key and the very same bytes. The same sources
   * in the same order get the same keys every scrape.
   */
  readonly key: number;
}

/** What one source gave: bytes, what parses them and which read they came from; or why there are none. */
export type Reading =
  | (ReadBytes & { readonly declaration: NamespaceReadingDeclaration })
  /** A host file's bytes, with what the host reader saw of the file as it read them (its mtime). */
  | (ReadBytes & { readonly declaration: AnyHostSource['host']; readonly file: HostFileFacts })
  | { readonly ok: false; readonly error: ReaderError };

/** A reading with bytes. */
export type OkReading = Extract<Reading, { readonly ok: true }>;

export type Readings = ReadonlyMap<AnySource, Reading>;

export interface NamespaceReader {
  /** Backend name for logs and the build-info metric. */
  readonly name: string;
  /** Reads this backend keeps under way at once, unless --collector.parallelism says otherwise. */
  readonly defaultParallelism: number;
  /**
   * Reads every source inside `ns`. Never rejects: a failure is a Reading with ok=false, and a
   * namespace that cannot be entered at all yields that error for every source. Sources that share
   * a native read get the very same bytes, under one key (Reading).
   */
  read(ns: NetnsRef, sources: readonly AnyNamespaceSource[], signal?: AbortSignal): Promise<Readings>;
  /** Releases threads or processes; pending reads settle first. */
  close(): Promise<void>;
}

/** The same reading for every source: a namespace that could not be entered, a read that never ran. */
export function everySource(sources: readonly AnySource[], reading: Reading): Readings {
  return new Map(sources.map((source) => [source, reading]));
}
