// Readings as the native reader hands them out, for tests that make their own: each source's native
// declaration (a host source's own), and one key per read, shared by the sources that read answers.
import type { Reading } from '../../src/readers/reader.js';
import { isHostSource, type AnySource } from '../../src/sources/source.js';

/** When these readings say a host file (an HA state file) was last written: 2023-11-14T22:13:20Z. */
export const HOST_FILE_WRITTEN = 1_700_000_000;

/** The reading of `source` from bytes `data` of the read keyed `key`. */
export function nativeReading(source: AnySource, data: Buffer, key: number): Reading {
  return isHostSource(source)
    ? { ok: true, data, declaration: source.host, key, file: { modifiedSeconds: HOST_FILE_WRITTEN } }
    : { ok: true, data, declaration: source.native, key };
}

/** Each entry: the sources one read answers and its bytes; the read's key is the entry's position. */
export function nativeReadings(reads: readonly (readonly [readonly AnySource[], Buffer])[]): Map<AnySource, Reading> {
  const readings = new Map<AnySource, Reading>();
  reads.forEach(([sources, data], key) => {
    for (const source of sources) readings.set(source, nativeReading(source, data, key));
  });
  return readings;
}
