// The native reader on real namespaces (root): every request's bytes against what the tools show for
// the same namespace at the same moment, errors as values, and no thread or descriptor left behind.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { IptablesTable } from '../../src/model/records/iptables.js';
import type { NetDevRecord } from '../../src/model/records/net-dev.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import { parseNftablesRuleset } from '../../src/parsers/netlink/nftables-ruleset.js';
import { rtnetlinkVolatileRanges } from '../../src/parsers/netlink/rtnetlink-links.js';
import { netlinkHeaderRanges } from '../../src/parsers/binary-counters.js';
import { keepShape, sameKeptShape } from '../../src/pipeline/reading-shape.js';
import { parseIptablesSave } from '../../src/parsers/iptables-save.js';
import { parseNfConntrackEntries } from '../../src/parsers/nf-conntrack-stat.js';
import { parseProcNetDev } from '../../src/parsers/proc-net-dev.js';
import { parseXtablesEntries } from '../../src/parsers/netlink/xtables-entries.js';
import type { ParseResult } from '../../src/parsers/parse-result.js';
import { ADDON_PATH, loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { createNativeReader, type NativeNamespaceReader } from '../../src/readers/native/native-reader.js';
import type { Reading } from '../../src/readers/reader.js';
import { ALL_SOURCES, sourceNamed } from '../support/sources.js';
import { builtAddon, isRoot, skipUnless } from '../support/gates.js';
import { buildTestHooksAddon, FAIL_RETURN_VARIABLE } from '../support/test-hooks-addon.js';
import { ipLinkModel, iptablesSaveModel, withoutOffsets } from './reference-models.js';
import { applyRouterRules, createNetnsLab, type NetnsLab } from '../support/netns-lab.js';
import { rtnetlinkLinks, rtnetlinkNetDev } from '../support/rtnetlink.js';

const skipKernelTests =
  skipUnless(isRoot, 'native reader on real namespaces', 'entering namespaces needs root') ||
  skipUnless(builtAddon().addon !== undefined, 'native reader on real namespaces', builtAddon().reason);

/** A reference as discovery makes it: with the identity the path has now (0, 0 when it has none). */
function ref(name: string, path = `/run/netns/${name}`): NetnsRef {
  let dev = 0;
  let inode = 0;
  try {
    ({ dev, ino: inode } = statSync(path));
  } catch {
    // gone already: nothing to check against
  }
  return { name, path, dev, inode, kind: 'other', id: '', source: 'named' };
}

function data(reading: Reading | undefined): Buffer {
  if (!reading?.ok) throw new Error(`expected bytes, got ${JSON.stringify(reading)}`);
  return reading.data;
}

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

function netInode(path: string): number {
  return statSync(path).ino;
}

function openDescriptors(): string[] {
  return readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '(closed while listing)';
    }
  });
}

/** Threads of this process whose network namespace is not the process's own. */
function strandedThreads(): string[] {
  const home = netInode('/proc/self/ns/net');
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      return netInode(`/proc/self/task/${tid}/ns/net`) !== home;
    } catch {
      return false; // the thread exited while we looked
    }
  });
}

/** The reference model of iptables-save's text, and the exec backend's parse of it. */
function textModels(text: string): IptablesTable[][] {
  return [iptablesSaveModel(text), valueOf(parseIptablesSave(text))];
}

describe.skipIf(skipKernelTests)('native reader on real namespaces', () => {
  let lab: NetnsLab;
  let reader: NativeNamespaceReader;
  let router: string;
  let peer: string;
  let fresh: string;
  let unnamed: { path: string; pid: number };

  beforeAll(async () => {
    const load = loadNativeAddon();
    if (!load.ok) throw new Error(`native addon did not load (run \`node native/build-addon.mjs\`): ${load.reason}`);
    reader = createNativeReader({ threads: 2, timeoutMs: 5000, addon: load.addon });
    lab = await createNetnsLab('native');
    router = await lab.addNamespace('router', { loopbackUp: true });
    peer = await lab.addNamespace('peer', { loopbackUp: true });
    fresh = await lab.addNamespace('fresh', { loopbackUp: true });
    await lab.vethPair({ ns: router, dev: 'qg-test', cidr: '10.9.0.1/24' }, { ns: peer, dev: 'eth0', cidr: '10.9.0.2/24' });
    await applyRouterRules(lab, router, 'nft');
    await applyRouterRules(lab, router, 'legacy');
    await lab.sendUdp(router, '10.9.0.2', 5555, 3);
    await lab.sendUdp(router, '::1', 5555, 2);
    const held = await lab.holdUnnamedNamespace();
    unnamed = { path: `/proc/${held.pid}/ns/net`, pid: held.pid };
  });

  afterAll(async () => {
    await reader?.close();
    await lab?.cleanup();
  });

  const inNetns = (ns: string, command: string, args: readonly string[]): Promise<string> => lab.run(ns, [command, ...args]);

  // net-dev comes from the link dump's IFLA_STATS64: every /proc/net/dev counter of every device,
  // between a reading of the file just before and one just after (IPv6 autoconfiguration may move them)
  async function expectNetDevBetween(path: string, catNetDev: () => Promise<string>): Promise<void> {
    const before = valueOf(parseProcNetDev(await catNetDev()));
    const reading = (await reader.read(ref('net-dev', path), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev'));
    const after = valueOf(parseProcNetDev(await catNetDev()));
    expect(reading?.ok && reading.declaration).toBe(sourceNamed('net-dev').native);
    const native = valueOf(rtnetlinkNetDev(data(reading)));
    const byDevice = (rows: NetDevRecord[]) => new Map(rows.map((row) => [row.device, row]));
    expect([...byDevice(native).keys()].sort()).toEqual([...byDevice(after).keys()].sort());
    for (const row of native) {
      const [low, high] = [byDevice(before).get(row.device), byDevice(after).get(row.device)];
      for (const direction of ['receive', 'transmit'] as const) {
        for (const [counter, value] of Object.entries(row[direction])) {
          const name = `${row.device} ${direction} ${counter}`;
          expect(value, name).toBeGreaterThanOrEqual((low?.[direction] as Record<string, number>)[counter] ?? Infinity);
          expect(value, name).toBeLessThanOrEqual((high?.[direction] as Record<string, number>)[counter] ?? -Infinity);
        }
      }
    }
  }

  test('net-dev holds every /proc/net/dev counter of the namespace', async () => {
    await lab.sendUdp(router, '10.9.0.2', 6000, 3);
    for (const ns of [router, peer, fresh]) await expectNetDevBetween(`/run/netns/${ns}`, () => inNetns(ns, 'cat', ['/proc/net/dev']));
    await expectNetDevBetween(unnamed.path, async () =>
      execFileSync('nsenter', [`--net=${unnamed.path}`, 'cat', '/proc/net/dev'], { encoding: 'utf8' }),
    );
  });

  test('a link dump keeps its shape across traffic: only the ranges the interfaces memo treats as moving move', async () => {
    const before = Buffer.from(data((await reader.read(ref(router), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev'))));
    const kept = keepShape(before, [...rtnetlinkVolatileRanges(before), ...netlinkHeaderRanges(before)]);
    await lab.sendUdp(router, '10.9.0.2', 5556, 5);
    await lab.sendUdp(router, '::1', 5556, 3);
    const after = data((await reader.read(ref(router), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev')));
    const moved = (rows: NetDevRecord[]) => rows.map((row) => row.transmit.packets).reduce((a, b) => a + b, 0);
    expect(moved(valueOf(rtnetlinkNetDev(after)))).toBeGreaterThan(moved(valueOf(rtnetlinkNetDev(before))));
    expect(sameKeptShape(kept, after)).toBe(true);
  });

  test('links equal ip -j -s -s link (which prints carrier_changes)', async () => {
    for (const ns of [router, peer, fresh]) {
      const reading = (await reader.read(ref(ns), ['links'].map(sourceNamed))).get(sourceNamed('links'));
      expect(reading?.ok && reading.declaration).toBe(sourceNamed('links').native);
      expect(valueOf(rtnetlinkLinks(data(reading)))).toEqual(ipLinkModel(await inNetns(ns, 'ip', ['-j', '-s', '-s', 'link'])));
    }
  });

  const parseNft = (bytes: Buffer, family: 'ipv4' | 'ipv6'): ParseResult<IptablesTable[]> => parseNftablesRuleset(bytes, { family });
  const rulesets: { request: string; save: string; parse: (data: Buffer, family: 'ipv4' | 'ipv6') => ParseResult<IptablesTable[]> }[] = [
    { request: 'iptables-nft-ipv4', save: 'iptables-nft-save', parse: parseNft },
    { request: 'iptables-nft-ipv6', save: 'ip6tables-nft-save', parse: parseNft },
    { request: 'iptables-legacy-ipv4', save: 'iptables-legacy-save', parse: parseXtablesEntries },
    { request: 'iptables-legacy-ipv6', save: 'ip6tables-legacy-save', parse: parseXtablesEntries },
  ];
  for (const ruleset of rulesets) {
    test(`${ruleset.request} equals ${ruleset.save} -c`, async () => {
      const readings = await reader.read(ref(router), [sourceNamed(ruleset.request)]);
      const family = ruleset.request.endsWith('ipv6') ? 'ipv6' : 'ipv4';
      const model = withoutOffsets(valueOf(ruleset.parse(data(readings.get(sourceNamed(ruleset.request))), family)));
      const text = await inNetns(router, ruleset.save, ['-c']);
      for (const expected of textModels(text)) expect(model).toEqual(expected);
      expect(model.length).toBeGreaterThan(1);
    });
  }

  test('conntrack count is the namespace own, the limit the kernel global one, as the sysctls say', async () => {
    await lab.sendUdp(router, '10.9.0.2', 6000, 1); // at least one entry in router
    for (const ns of [router, fresh]) {
      const readings = await reader.read(ref(ns), ['conntrack-count', 'conntrack-max'].map(sourceNamed));
      const count = readings.get(sourceNamed('conntrack-count'));
      expect(count?.ok && count.declaration).toBe(sourceNamed('conntrack-count').native);
      expect(valueOf(parseNfConntrackEntries(data(count).toString()))).toBe(
        Number(await inNetns(ns, 'cat', ['/proc/sys/net/netfilter/nf_conntrack_count'])),
      );
      expect(data(readings.get(sourceNamed('conntrack-max'))).toString()).toBe(
        await inNetns(ns, 'cat', ['/proc/sys/net/netfilter/nf_conntrack_max']),
      );
    }
    const routerCount = (await reader.read(ref(router), ['conntrack-count'].map(sourceNamed))).get(sourceNamed('conntrack-count'));
    expect(valueOf(parseNfConntrackEntries(data(routerCount).toString()))).toBeGreaterThan(0);
  });

  test('a namespace without legacy tables reports not-present; empty nf_tables is no tables', async () => {
    const readings = await reader.read(ref(fresh), ['iptables-legacy-ipv4', 'iptables-legacy-ipv6', 'iptables-nft-ipv4'].map(sourceNamed));
    expect(readings.get(sourceNamed('iptables-legacy-ipv4'))).toMatchObject({ ok: false, error: { kind: 'not-present' } });
    expect(readings.get(sourceNamed('iptables-legacy-ipv6'))).toMatchObject({ ok: false, error: { kind: 'not-present' } });
    expect(valueOf(parseNftablesRuleset(data(readings.get(sourceNamed('iptables-nft-ipv4'))), { family: 'ipv4' }))).toEqual([]);
  });

  test('a vanished namespace is vanished for every request', async () => {
    const doomed = await lab.addNamespace('doomed');
    await lab.deleteNamespace(doomed);
    const readings = await reader.read(ref(doomed), ALL_SOURCES);
    expect(readings.size).toBe(ALL_SOURCES.length);
    for (const reading of readings.values()) expect(reading).toMatchObject({ ok: false, error: { kind: 'vanished' } });
    const notNetns = await reader.read(ref('not-a-namespace', '/proc/self/ns/uts'), ['net-dev'].map(sourceNamed));
    expect(notNetns.get(sourceNamed('net-dev'))).toMatchObject({ ok: false, error: { kind: 'vanished' } });
  });

  test('a path that now names another namespace is vanished, not read', async () => {
    // as if `router` had been deleted and its name reused for `peer` since discovery (deleting and
    // re-creating for real could hand the new namespace the freed inode number)
    const discovered = { ...ref(router), path: `/run/netns/${peer}` };
    const readings = await reader.read(discovered, ['net-dev'].map(sourceNamed));
    expect(readings.get(sourceNamed('net-dev'))).toMatchObject({
      ok: false,
      error: { kind: 'vanished', detail: expect.stringMatching(/different namespace/) },
    });
  });

  test('an aborted read settles as timeout, and the reader carries on', async () => {
    const controller = new AbortController();
    const pending = reader.read(ref(router), ['net-dev', 'links'].map(sourceNamed), controller.signal);
    controller.abort();
    const readings = await pending;
    for (const reading of readings.values()) expect(reading).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect((await reader.read(ref(router), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev'))?.ok).toBe(true);
  });

  test('pool threads are its own, and nothing leaks after 1,000 jobs', async () => {
    const stats = reader.stats();
    expect(stats.threadIds).toHaveLength(2);
    expect(stats.threadIds).not.toContain(process.pid); // never the main thread
    expect(stats.broken).toBe(false);
    // lower priority than the main thread, which answers HTTP while they read (native/src/pool.c)
    const nice = (tid: number): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    for (const tid of stats.threadIds) expect(nice(tid)).toBe(Math.min(nice(process.pid) + 5, 19));

    const targets = [ref(router), ref(peer), ref(fresh), ref('unnamed', unnamed.path)];
    const batch = async (count: number): Promise<void> => {
      const reads = Array.from({ length: count }, (_, i) => reader.read(targets[i % targets.length] as NetnsRef, ALL_SOURCES));
      for (const readings of await Promise.all(reads)) {
        expect(readings.get(sourceNamed('net-dev'))?.ok).toBe(true);
        expect(readings.get(sourceNamed('iptables-nft-ipv4'))?.ok).toBe(true);
      }
    };
    await batch(100); // warm up: Node opens what it opens lazily
    const descriptorsBefore = openDescriptors();
    const threadsBefore = readdirSync('/proc/self/task').length;
    await batch(1000);
    expect(strandedThreads()).toEqual([]);
    expect(openDescriptors()).toEqual(descriptorsBefore);
    expect(readdirSync('/proc/self/task').length).toBe(threadsBefore);
    for (const tid of reader.stats().threadIds) {
      expect(netInode(`/proc/self/task/${tid}/ns/net`)).toBe(netInode('/proc/self/ns/net'));
    }
  });

  test('close joins the threads; reads after close fail as values', async () => {
    const load = loadNativeAddon();
    if (!load.ok) throw new Error(load.reason);
    const threadsBefore = readdirSync('/proc/self/task').length;
    const second = createNativeReader({ threads: 3, timeoutMs: 5000, addon: load.addon });
    expect(readdirSync('/proc/self/task').length).toBe(threadsBefore + 3);
    const reading = second.read(ref(router), ['net-dev'].map(sourceNamed));
    await second.close(); // waits for the pending read first
    expect((await reading).get(sourceNamed('net-dev'))?.ok).toBe(true);
    expect(readdirSync('/proc/self/task').length).toBe(threadsBefore);
    expect((await second.read(ref(router), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev'))).toMatchObject({
      ok: false,
      error: { kind: 'tool-failed' },
    });
  });

  test('a thread that cannot return home breaks the pool loudly, exits, and nothing is served after', async () => {
    // the switch exists only in the test-hooks build (test/support/test-hooks-addon.ts)
    const { addon } = buildTestHooksAddon();
    process.env[FAIL_RETURN_VARIABLE] = '1'; // read once, when the pool starts
    let failing: NativeNamespaceReader;
    try {
      failing = createNativeReader({ threads: 1, timeoutMs: 5000, addon });
    } finally {
      delete process.env[FAIL_RETURN_VARIABLE];
    }
    // the job itself ran in the right namespace; only the way back failed
    expect((await failing.read(ref(router), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev'))?.ok).toBe(true);
    expect(failing.stats().broken).toBe(true);
    for (let i = 0; i < 100 && strandedThreads().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(strandedThreads()).toEqual([]); // the stranded thread is gone, not parked in the namespace
    expect((await failing.read(ref(router), ['net-dev'].map(sourceNamed))).get(sourceNamed('net-dev'))).toMatchObject({
      ok: false,
      error: { kind: 'tool-failed', detail: expect.stringMatching(/broken/) },
    });
    await failing.close();
  });

  test('the exporter namespace itself reads like any other', async () => {
    // /proc/self names the process (whose main thread never leaves home), not the worker thread
    const readings = await reader.read(ref('host', '/proc/self/ns/net'), ['net-dev'].map(sourceNamed));
    const devices = valueOf(rtnetlinkNetDev(data(readings.get(sourceNamed('net-dev'))))).map((row) => row.device);
    expect(devices.sort()).toEqual(
      valueOf(parseProcNetDev(readFileSync('/proc/net/dev', 'utf8')))
        .map((row) => row.device)
        .sort(),
    );
  });
});

describe('loading the addon', () => {
  test.skipIf(skipUnless(existsSync(ADDON_PATH), 'the production addon has no test switch', `${ADDON_PATH} is not built`))(
    'the production addon has no test switch; the test-hooks build has it',
    () => {
      expect(readFileSync(ADDON_PATH).includes(FAIL_RETURN_VARIABLE)).toBe(false);
      expect(readFileSync(buildTestHooksAddon().path).includes(FAIL_RETURN_VARIABLE)).toBe(true);
    },
    120_000,
  );

  test('a missing addon is a reason, not an exception', () => {
    const load = loadNativeAddon('/nonexistent/netns_reader.node');
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.reason).toMatch(/missing/);
  });

  test('a file that is not an addon is a reason, not an exception', () => {
    const load = loadNativeAddon(fileURLToPath(new URL('./native-reader.test.ts', import.meta.url)));
    expect(load.ok).toBe(false);
  });
});
