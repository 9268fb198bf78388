// The namespace's protocol counters: /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 (all per
// namespace). exec copies the files; native reads them under /proc/thread-self/net on a thread inside
// the namespace. snmp6 is absent where IPv6 is disabled (ipv6.disable=1 or no ipv6 module).

import type { NetstatRecord } from '../model/records/netstat.js';
import { parseProcNetSnmp, parseProcNetSnmp6 } from '../parsers/proc-net-snmp.js';
import { defineSource, NUMBERS_IN_TEXT } from './source.js';

function netstatSource(name: string, file: string, parse: (text: string) => ReturnType<typeof parseProcNetSnmp>) {
  const parseText = (data: Buffer) => parse(data.toString('utf8'));
  return defineSource<readonly NetstatRecord[]>({
    name,
    // the kernel prints the same words every time; only the numbers move
    exec: { read: { kind: 'file', path: `/proc/net/${file}` }, parse: parseText, layout: NUMBERS_IN_TEXT },
    native: {
      read: { kind: 'file', path: `/proc/thread-self/net/${file}` },
      absentWhen: ['ENOENT'],
      parse: parseText,
      layout: NUMBERS_IN_TEXT,
    },
  });
}

export const snmpSource = netstatSource('snmp', 'snmp', parseProcNetSnmp);
export const netstatFileSource = netstatSource('netstat', 'netstat', parseProcNetSnmp);
export const snmp6Source = netstatSource('snmp6', 'snmp6', parseProcNetSnmp6);

/** The three files, in the order their records are reported. */
export const NETSTAT_FILES: readonly NetstatFileSource[] = [snmpSource, netstatFileSource, snmp6Source];

export type NetstatFileSource = typeof snmpSource;
