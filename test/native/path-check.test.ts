// The addon's file request check (native/src/requests.c, request_path_allowed) through the real addon:
// only files under /proc/thread-self/net/ made of plain components are read; anything else is a
// TypeError from submit, before any thread touches it.

import { afterAll, describe, expect, test } from 'vitest';
import {
  JobStage,
  RequestKind,
  unpackJobs,
  type AddonRequest,
  type FinishedJob,
  type PoolHandle,
} from '../../src/readers/native/load-addon.js';
import { builtAddon, isRoot, skipUnless } from '../support/gates.js';

const { addon, reason } = builtAddon();

const REJECTED = [
  '/proc/thread-self/root/etc/shadow', // passed the old "/proc/thread-self/" prefix check
  '/proc/thread-self/environ',
  '/proc/thread-self/ns/net',
  '/proc/self/net/dev', // self, not thread-self: the process's namespace, not the entered one
  '/proc/sys/net/netfilter/nf_conntrack_max', // not on the explicit list (the native reader reads no sysctl)
  '/proc/sys/kernel/core_pattern',
  '/etc/shadow',
  'proc/thread-self/net/dev',
  '/proc/thread-self/net/',
  '/proc/thread-self/net',
  '/proc/thread-self/net/../root/etc/shadow',
  '/proc/thread-self/net/..',
  '/proc/thread-self/net/stat/..',
  '/proc/thread-self/net/stat/../../environ',
  '/proc/thread-self/net/./dev',
  '/proc/thread-self/net/.',
  '/proc/thread-self/net//dev',
  '/proc/thread-self/net/stat/',
  '/proc/thread-self//net/dev',
  '/proc/thread-self/./net/dev',
  '/proc/thread-self/netx/dev',
  '/proc/thread-self/net/dev\0/etc/shadow',
  '',
];

// what the native reader and the collectors planned in issue 12 read
const ACCEPTED = [
  '/proc/thread-self/net/dev',
  '/proc/thread-self/net/stat/nf_conntrack',
  '/proc/thread-self/net/ip_tables_names',
  '/proc/thread-self/net/ip6_tables_names',
  '/proc/thread-self/net/snmp',
  '/proc/thread-self/net/netstat',
  '/proc/thread-self/net/snmp6',
  '/proc/thread-self/net/sockstat',
  '/proc/thread-self/net/sockstat6',
  '/proc/thread-self/net/.hidden', // a name starting with a dot is still a plain component
];

describe.skipIf(skipUnless(addon !== undefined, 'native file request path check', reason))('file request paths (native addon)', () => {
  const finished: FinishedJob[] = [];
  const pool = addon?.createPool(1, 5000, (data, meta) => finished.push(...unpackJobs(data, meta))) as PoolHandle;
  afterAll(() => addon?.destroyPool(pool));

  const submit = (requests: readonly AddonRequest[], jobId = 1): void => addon?.submit(pool, jobId, '/proc/self/ns/net', requests);

  test.each(REJECTED)('rejects %j at submit', (path) => {
    expect(() => submit([[RequestKind.readFile, path]])).toThrow(TypeError);
    expect(() => submit([[RequestKind.readFile, path]])).toThrow(/netns_reader: file request path must be/);
  });

  test('one bad path rejects the whole job, wherever it is in the list', () => {
    expect(() =>
      submit([
        [RequestKind.readFile, '/proc/thread-self/net/dev'],
        [RequestKind.readFile, '/proc/thread-self/root/etc/shadow'],
      ]),
    ).toThrow(/under \/proc\/thread-self\/net\//);
    expect(() =>
      submit([
        [RequestKind.readFile, '/proc/thread-self/net/../../../etc/passwd'],
        [RequestKind.readFile, '/proc/thread-self/net/dev'],
      ]),
    ).toThrow(TypeError);
  });

  test.each(ACCEPTED)('accepts %j at submit', (path) => {
    // not run: accepted paths are read by the test below (entering a namespace needs root)
    expect(() => submit([[RequestKind.readFile, path]], 1000)).not.toThrow();
  });

  test.skipIf(skipUnless(isRoot, 'reading accepted paths through the addon', 'entering a namespace needs root'))(
    'accepted paths are read in the entered namespace',
    async () => {
      finished.length = 0;
      submit(
        [
          [RequestKind.readFile, '/proc/thread-self/net/dev'],
          [RequestKind.readFile, '/proc/thread-self/net/snmp'],
          [RequestKind.readFile, '/proc/thread-self/net/stat/nf_conntrack'],
        ],
        7,
      );
      for (let i = 0; i < 500 && !finished.some((job) => job.jobId === 7); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const job = finished.find((done) => done.jobId === 7);
      expect(job?.stage).toBe(JobStage.entered);
      const [dev, snmp, conntrack] = job?.results ?? [];
      expect(dev?.toString()).toMatch(/^Inter-\|/);
      expect(snmp?.toString()).toMatch(/^Ip: Forwarding/);
      // a number is an errno: ENOENT when nf_conntrack is not loaded, which is not a rejection
      if (typeof conntrack !== 'number') expect(conntrack?.toString()).toMatch(/^entries/);
    },
  );
});
