// The processes collector over namespaces as discovery lists them: which names it counts, where it
// reports a 0 (the names a kind of namespace runs), and that it runs every scrape: it has no source,
// so no reading's shape could vouch for an earlier scrape's counts.
import { describe, expect, test } from 'vitest';
import { processesCollector } from '../../src/collectors/processes.js';
import { parseFlags } from '../../src/cli/flags.js';
import type { NetnsKind, NetnsRef } from '../../src/model/netns-ref.js';
import type { NetnsProcess } from '../../src/model/records/processes.js';
import { collectorRuns } from '../support/collector-runs.js';

const NO_READINGS = new Map();

function ns(kind: NetnsKind, processes: readonly NetnsProcess[] | undefined): NetnsRef {
  const name = kind === 'other' || kind === 'host' ? 'some-ns' : `${kind}-1a2b`;
  return { name, path: `/run/netns/${name}`, dev: 4, inode: 4026532100, kind, id: '1a2b', source: 'named', processes };
}

const p = (pid: number, comm: string, cmdline?: string): NetnsProcess => (cmdline === undefined ? { pid, comm } : { pid, comm, cmdline });
const STATE_CHANGE = p(30, 'neutron-keepali', '/usr/bin/python3\0/usr/bin/neutron-keepalived-state-change\0--router_id=1a2b\0');

function lines(namespace: NetnsRef, flags: Record<string, string> = {}): string[] {
  const run = collectorRuns([processesCollector], flags, namespace).run(NO_READINGS);
  expect(run.failures).toEqual([]);
  return run.lines;
}

describe('what is counted and where a 0 is reported', () => {
  test('qdhcp: dnsmasq, 0 when it is gone', () => {
    expect(lines(ns('qdhcp', [p(5, 'dnsmasq')]))).toEqual(['netns_processes{qdhcp-1a2b,dnsmasq} 1']);
    expect(lines(ns('qdhcp', []))).toEqual(['netns_processes{qdhcp-1a2b,dnsmasq} 0']);
  });

  test('an HA qrouter: haproxy, both keepalived processes, the state-change script by its command line', () => {
    expect(lines(ns('qrouter', [p(10, 'haproxy'), p(20, 'keepalived'), p(21, 'keepalived'), STATE_CHANGE]))).toEqual([
      'netns_processes{qrouter-1a2b,haproxy} 1',
      'netns_processes{qrouter-1a2b,keepalived} 2',
      'netns_processes{qrouter-1a2b,neutron-keepalived-state-change} 1',
    ]);
  });

  test('an HA qrouter whose keepalived died, on a backup (no metadata proxy): zeros for both', () => {
    expect(lines(ns('qrouter', [STATE_CHANGE]))).toEqual([
      'netns_processes{qrouter-1a2b,haproxy} 0',
      'netns_processes{qrouter-1a2b,keepalived} 0',
      'netns_processes{qrouter-1a2b,neutron-keepalived-state-change} 1',
    ]);
  });

  test('a legacy qrouter: only its metadata proxy is expected; radvd only where it runs', () => {
    expect(lines(ns('qrouter', []))).toEqual(['netns_processes{qrouter-1a2b,haproxy} 0']);
    expect(lines(ns('qrouter', [p(10, 'haproxy'), p(11, 'radvd'), p(12, 'radvd')]))).toEqual([
      'netns_processes{qrouter-1a2b,haproxy} 1',
      'netns_processes{qrouter-1a2b,radvd} 2',
    ]);
  });

  test('ovnmeta: haproxy; other kinds: only what runs, never a 0', () => {
    expect(lines(ns('ovnmeta', []))).toEqual(['netns_processes{ovnmeta-1a2b,haproxy} 0']);
    expect(lines(ns('snat', []))).toEqual([]);
    expect(lines(ns('other', [p(3, 'sleep'), p(4, 'dnsmasq')]))).toEqual(['netns_processes{some-ns,dnsmasq} 1']);
  });

  test('a comm that merely starts like a name, with no command line to confirm it, is not counted', () => {
    expect(lines(ns('other', [p(3, 'neutron-keepali')]))).toEqual([]);
    expect(lines(ns('other', [p(3, 'haproxy-wrapper')]))).toEqual([]);
  });

  test('--collector.processes.names replaces the set, in its order; a 0 only for names it keeps', () => {
    const flags = { 'collector.processes.names': 'radvd, dnsmasq,nginx' };
    expect(lines(ns('qdhcp', [p(3, 'nginx')]), flags)).toEqual([
      'netns_processes{qdhcp-1a2b,dnsmasq} 0',
      'netns_processes{qdhcp-1a2b,nginx} 1',
    ]);
    expect(lines(ns('qrouter', []), flags)).toEqual([]);
  });

  test('an empty name in the flag exits 2 with one line', () => {
    expect(() => parseFlags(['--collector.processes.names=dnsmasq,,haproxy'], '0.0.0-test')).toThrow(
      /--collector.processes.names: an empty name/,
    );
  });

  test('the host namespace is not examined; an unknown process list is a failure, not a 0', () => {
    expect(lines(ns('host', undefined))).toEqual([]);
    const run = collectorRuns([processesCollector], {}, ns('qdhcp', undefined)).run(NO_READINGS);
    expect(run.lines).toEqual([]);
    expect(run.failures.map((failure) => failure.detail)).toEqual([
      'collector processes failed: the processes of this namespace are not known (see the discovery problem logged)',
    ]);
  });
});

test('it runs every scrape: a count that changes with no reading changing is seen at once', () => {
  const runs = collectorRuns([processesCollector], {}, ns('qdhcp', [p(5, 'dnsmasq')]));
  expect(runs.run(NO_READINGS).lines).toEqual(['netns_processes{qdhcp-1a2b,dnsmasq} 1']);
  const second = runs.run(NO_READINGS, ns('qdhcp', []));
  expect(second.ran).toEqual(['processes']);
  expect(second.lines).toEqual(['netns_processes{qdhcp-1a2b,dnsmasq} 0']);
  expect(runs.run(NO_READINGS, ns('qdhcp', [p(6, 'dnsmasq'), p(7, 'dnsmasq')])).lines).toEqual(['netns_processes{qdhcp-1a2b,dnsmasq} 2']);
});
