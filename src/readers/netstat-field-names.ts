// The field names (`Proto_Field`) this kernel prints in /proc/net/snmp, netstat and snmp6, read once at
// start in the exporter's own namespace. Every namespace prints the same ones (the kernel's tables in
// net/ipv4/proc.c and net/ipv6/proc.c), so this tells which files a --collector.netstat.fields
// selection needs read in each namespace (collectors/netstat.ts selectNetstatFiles).

import { readHostFileSync } from '../host/host-file.js';
import { NETSTAT_FILES } from '../sources/netstat.js';

/**
 * By source name; a file that cannot be read or parsed here is left out (and so is read in every
 * namespace, where its failure is reported as usual). Synchronous: three small files, once.
 */
export function readNetstatFieldNames(files = NETSTAT_FILES): Map<string, string[]> {
  const printed = new Map<string, string[]>();
  for (const file of files) {
    const { read, parse } = file.exec;
    if (read.kind !== 'file') continue;
    const host = readHostFileSync(read.path);
    if (!host.ok) continue;
    const result = parse(host.data);
    if (result.ok) printed.set(file.name, result.value.map(({ proto, field }) => `${proto}_${field}`));
  }
  return printed;
}
