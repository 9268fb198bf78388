// The sample collector's source (README, "Adding a collector"; in a real collector this file is
// src/sources/xfrm.ts): how both backends read /proc/net/xfrm_stat inside a namespace. Absent
// without CONFIG_XFRM_STATISTICS, which is "nothing here", not a failure.

import { defineSource, NUMBERS_IN_TEXT } from '../../../src/sources/source.js';
import { parseXfrmStat, type XfrmStatRecord } from './proc-net-xfrm-stat.js';

const parseText = (data: Buffer) => parseXfrmStat(data.toString('utf8'));

export const xfrmStatSource = defineSource<readonly XfrmStatRecord[]>({
  name: 'xfrm-stat',
  exec: { read: { kind: 'file', path: '/proc/net/xfrm_stat' }, parse: parseText, layout: NUMBERS_IN_TEXT },
  native: { read: { kind: 'file', path: '/proc/thread-self/net/xfrm_stat' }, absentWhen: ['ENOENT'], parse: parseText, layout: NUMBERS_IN_TEXT },
});
