// /proc/net/sockstat and /proc/net/sockstat6 as read inside a namespace: `PROTO: key value key value`
// lines (net/ipv4/proc.c sockstat_seq_show, net/ipv6/proc.c sockstat6_seq_show). Records are named
// as node_exporter's sockstat collector names its series (collector/sockstat_linux.go over procfs
// net_sockstat.go): node_sockstat_<proto>_<field>, e.g. sockets_used, TCP_inuse, TCP_mem_bytes,
// FRAG_memory, TCP6_inuse.
//
// Not everything here is per namespace: sockets_used, the inuse counts, FRAG and (on recent kernels,
// where the TIME-WAIT count lives in struct net) TCP tw are; TCP orphan and alloc and the mem values
// (pages) are the kernel's global counters, the same in every namespace (sockstat_seq_show).

import type { SockstatRecord } from '../model/records/sockstat.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const INTEGER = /^-?\d+$/;

/**
 * Parses sockstat or sockstat6 (the same format). For every line with `mem` (TCP, UDP: pages, as the
 * tcp_mem/udp_mem sysctls count) a `mem_bytes` record follows, mem × `pageSize`, as node_exporter
 * adds it (with its own os.Getpagesize()). Pass the exporter host's page size: it is the kernel's, the
 * same in every namespace; without one, no mem_bytes records (the caller scales mem itself). Lines, keys and values: any line without a "PROTO:" and key/value pairs
 * is a parse error, never a zero.
 */
export function parseProcNetSockstat(text: string, pageSize?: number): ParseResult<SockstatRecord[]> {
  if (pageSize !== undefined && (!Number.isSafeInteger(pageSize) || pageSize <= 0))
    return parseFailure(`page size ${pageSize} is not a positive integer`);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return parseFailure('line 1: empty file, expected "PROTO: key value ..." lines');
  const records: SockstatRecord[] = [];
  let lineStart = 0;
  for (const [i, line] of lines.entries()) {
    const fields = line.split(' ');
    let at = lineStart;
    lineStart += line.length + 1;
    const first = fields[0] as string;
    if (first.length < 2 || !first.endsWith(':')) return parseFailure(`line ${i + 1}: expected "PROTO:" first, got ${shown(line)}`);
    const proto = first.slice(0, -1);
    if (fields.length < 3 || fields.length % 2 === 0)
      return parseFailure(`line ${i + 1}: ${proto}: expected key/value pairs, got ${shown(line)}`);
    at += first.length + 1;
    for (let j = 1; j < fields.length; j += 2) {
      const field = fields[j] as string;
      const value = fields[j + 1] as string;
      at += field.length + 1;
      const valueAt = at;
      at += value.length + 1;
      if (field === '' || INTEGER.test(field)) return parseFailure(`line ${i + 1}: ${proto}: ${shown(field)} is not a key`);
      if (!INTEGER.test(value)) return parseFailure(`line ${i + 1}: ${proto} ${field}: ${shown(value)} is not an integer`);
      records.push({ proto, field, value: Number(value), at: valueAt });
      if (field === 'mem' && pageSize !== undefined) records.push({ proto, field: 'mem_bytes', value: Number(value) * pageSize });
    }
  }
  return parsed(records);
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
