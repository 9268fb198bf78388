// Reads a namespace source once at start in the exporter's own namespace, for collectors whose
// options depend on what this kernel prints (collectors/netstat.ts: which of snmp, netstat and snmp6
// hold a selected field). Every namespace prints the same words, so the exporter's own tells.

import { readHostFileSync } from '../host/host-file.js';
import type { NamespaceSource } from '../sources/source.js';

/**
 * The source's exec file, parsed; undefined when it is no file, cannot be read or does not parse
 * here (the collector then assumes nothing, and the read in each namespace reports as usual).
 * Synchronous: a few small files, once.
 */
export function readInOwnNamespace<T>(source: NamespaceSource<T>): T | undefined {
  const { read, parse } = source.exec;
  if (read.kind !== 'file') return undefined;
  const file = readHostFileSync(read.path);
  if (!file.ok) return undefined;
  const result = parse(file.data);
  return result.ok ? result.value : undefined;
}
