// Socket counts of the namespace: /proc/net/sockstat and /proc/net/sockstat6 (absent without IPv6).
// Parsed without a page size: mem values stay in pages, and the collector scales them by the host's.

import { parseProcNetSockstat, type SockstatRecord } from '../parsers/proc-net-sockstat.js';
import { defineSource } from './source.js';

function sockstatFile(file: string) {
  const parseText = (data: Buffer) => parseProcNetSockstat(data.toString('utf8'));
  return defineSource<readonly SockstatRecord[]>({
    name: file,
    exec: { read: { kind: 'file', path: `/proc/net/${file}` }, parse: parseText },
    native: { read: { kind: 'file', path: `/proc/thread-self/net/${file}` }, absentWhen: ['ENOENT'], parse: parseText },
  });
}

export const sockstatSource = sockstatFile('sockstat');
export const sockstat6Source = sockstatFile('sockstat6');
