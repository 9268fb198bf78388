// Socket counts of the namespace: /proc/net/sockstat and /proc/net/sockstat6 (absent without IPv6).
// Parsed without a page size (no mem_bytes records): the collector leaves the kernel-wide values out.

import type { SockstatRecord } from '../model/records/sockstat.js';
import { parseProcNetSockstat } from '../parsers/proc-net-sockstat.js';
import { defineSource, NUMBERS_IN_TEXT } from './source.js';

function sockstatFile(file: string) {
  const parseText = (data: Buffer) => parseProcNetSockstat(data.toString('utf8'));
  return defineSource<readonly SockstatRecord[]>({
    name: file,
    exec: { read: { kind: 'file', path: `/proc/net/${file}` }, parse: parseText, layout: NUMBERS_IN_TEXT },
    native: {
      read: { kind: 'file', path: `/proc/thread-self/net/${file}` },
      absentWhen: ['ENOENT'],
      parse: parseText,
      layout: NUMBERS_IN_TEXT,
    },
  });
}

export const sockstatSource = sockstatFile('sockstat');
export const sockstat6Source = sockstatFile('sockstat6');
