// Reads a namespace source once at start in the exporter's own namespace, for collectors whose
// options depend on what this kernel prints (collectors/netstat.ts: which of snmp, netstat and snmp6
// hold a selected field). Every namespace prints the same words, so the exporter's own tells.

import { readFileSync } from 'node:fs';
import type { NamespaceSource } from '../sources/source.js';

/**
 * The source's exec file, parsed; undefined when it is no file, cannot be read or does not parse
 * here (the collector then assumes nothing, and the read in each namespace reports as usual).
 * Synchronous: a few small files, once.
 */
export function readInOwnNamespace<T>(source: NamespaceSource<T>): T | undefined {
  const { read, parse } = source.exec;
  if (read.kind !== 'file') return undefined;
  let data: Buffer;
  try {
    data = readFileSync(read.path);
  } catch {
    return undefined;
  }
  const result = parse(data);
  return result.ok ? result.value : undefined;
}
