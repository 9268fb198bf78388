// Discovery against real namespaces made by the lab. The machine may hold other namespaces (other
// tests run at the same time), so every check looks only at this lab's names and inodes.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discoverNamespaces, type DiscoveryOptions, type DiscoveryResult } from '../../src/discovery/discover-namespaces.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

const named: DiscoveryOptions = { netnsDirs: ['/run/netns'], scanProcesses: false, includeHost: false };
const everything: DiscoveryOptions = { netnsDirs: ['/run/netns'], scanProcesses: true, includeHost: false };

// On this VM pid 1 cannot be examined even by root (the sandbox's init), so a process scan always
// reports that one summary line; anything else is a failure.
const expectedScanNote = /^could not examine the network namespace of \d+ processes under \/proc/;
function unexpectedErrors(result: DiscoveryResult): string[] {
  return result.errors.filter((error) => !expectedScanNote.test(error));
}

const ownInode = statSync('/proc/self/ns/net').ino;

describe.skipIf(skipUnlessRoot('namespace discovery tests'))('discoverNamespaces on real namespaces', () => {
  let lab: NetnsLab;
  beforeAll(async () => {
    lab = await createNetnsLab('disc');
  });
  afterAll(async () => {
    await lab?.cleanup();
  });

  const mine = (result: DiscoveryResult): NetnsRef[] => result.namespaces.filter((ns) => ns.name.includes(lab.prefix));

  test('finds named namespaces of every Neutron kind, with their identity', async () => {
    const kinds = ['qrouter', 'qdhcp', 'snat', 'fip', 'qlbaas', 'ovnmeta'] as const;
    const names = await Promise.all(kinds.map((kind) => lab.addNeutronNamespace(kind, `k${kind}`)));
    const plain = await lab.addNamespace('plain');

    const result = await discoverNamespaces(named);
    expect(result.errors).toEqual([]);
    for (const [i, kind] of kinds.entries()) {
      const name = names[i] as string;
      const path = `/run/netns/${name}`;
      const stats = statSync(path);
      expect(result.namespaces.find((ns) => ns.name === name)).toEqual({
        name,
        path,
        dev: stats.dev,
        inode: stats.ino,
        kind,
        id: `${lab.prefix}k${kind}`,
        source: 'named',
      });
    }
    expect(result.namespaces.find((ns) => ns.name === plain)).toMatchObject({ kind: 'other', id: '', source: 'named' });
    // Each namespace is its own: seven lab entries, seven inodes.
    expect(new Set(mine(result).map((ns) => ns.inode)).size).toBe(mine(result).length);
    const sorted = [...result.namespaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    expect(result.namespaces.map((ns) => ns.name)).toEqual(sorted.map((ns) => ns.name));
  });

  test('finds a namespace held only by a process, and lists it once (by name) when it is also named', async () => {
    const held = await lab.holdUnnamedNamespace();
    const withoutScan = await discoverNamespaces(named);
    expect(withoutScan.namespaces.some((ns) => ns.inode === held.inode)).toBe(false);

    const scanned = await discoverNamespaces(everything);
    expect(unexpectedErrors(scanned)).toEqual([]);
    const found = scanned.namespaces.filter((ns) => ns.inode === held.inode);
    expect(found).toEqual([
      {
        name: `net:[${held.inode}]`,
        path: `/proc/${held.pid}/ns/net`,
        dev: statSync('/proc/self/ns/net').dev,
        inode: held.inode,
        kind: 'other',
        id: '',
        source: 'process',
        // no Neutron name says what it is: the lowest pid in it, as the kernel shows it
        holder: { pid: held.pid, comm: 'sleep', cgroup: readFileSync(`/proc/${held.pid}/cgroup`, 'utf8') },
      },
    ]);
    // The documented name is exactly what the kernel shows for the link.
    expect(readlinkSync(`/proc/${held.pid}/ns/net`)).toBe(found[0]?.name);

    const attached = await lab.attachNamespace('attached', held.pid);
    const again = await discoverNamespaces(everything);
    expect(again.namespaces.filter((ns) => ns.inode === held.inode)).toEqual([
      expect.objectContaining({ name: attached, path: `/run/netns/${attached}`, source: 'named' }),
    ]);
  });

  test('leaves the exporter’s own namespace out, even when named, unless asked; then once, as host', async () => {
    const alias = await lab.attachNamespace('host-alias', process.pid);
    expect(statSync(`/run/netns/${alias}`).ino).toBe(ownInode);

    const without = await discoverNamespaces(everything);
    expect(without.namespaces.filter((ns) => ns.inode === ownInode)).toEqual([]);

    const withHost = await discoverNamespaces({ ...everything, includeHost: true });
    expect(withHost.namespaces.filter((ns) => ns.inode === ownInode)).toEqual([
      {
        name: 'host',
        path: `/proc/${process.pid}/ns/net`,
        dev: statSync('/proc/self/ns/net').dev,
        inode: ownInode,
        kind: 'host',
        id: '',
        source: 'host',
      },
    ]);
    await lab.deleteNamespace(alias);
  });

  test('reads several directories: first name wins, plain files and subdirectories are skipped, a missing dir is fine, a bad one is an error', async () => {
    const labName = await lab.addNamespace('bound');
    const dir = mkdtempSync(join(tmpdir(), `${lab.prefix}dir-`));
    lab.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const routerPath = join(dir, 'qrouter-bound');
    writeFileSync(routerPath, '');
    await execa('mount', ['--bind', `/run/netns/${labName}`, routerPath]);
    lab.onCleanup(async () => {
      await execa('umount', [routerPath]);
    });
    // What `ip netns add` leaves before its bind mount and `ip netns delete` after its unmount.
    writeFileSync(join(dir, 'qrouter-plain-file'), '');
    mkdirSync(join(dir, 'qrouter-subdir'));
    const notADir = join(dir, 'qrouter-plain-file');

    const result = await discoverNamespaces({
      netnsDirs: [dir, '/run/netns', join(dir, 'does-not-exist'), notADir],
      scanProcesses: false,
      includeHost: false,
    });
    const inode = statSync(`/run/netns/${labName}`).ino;
    expect(result.namespaces.filter((ns) => ns.inode === inode)).toEqual([
      expect.objectContaining({ name: 'qrouter-bound', path: routerPath, kind: 'qrouter', id: 'bound', source: 'named' }),
    ]);
    expect(result.namespaces.some((ns) => ns.path.startsWith(dir) && ns.name !== 'qrouter-bound')).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(notADir);
    expect(result.errors[0]).toContain('ENOTDIR');
  });

  test('handles names with any character and executes none of them', async () => {
    const marker = `/tmp/nxt-pwned-${randomBytes(4).toString('hex')}`;
    // '/' cannot be in a name, so the command builds it with printf: if anything ever ran a name
    // through a shell, `marker` would exist.
    const injection = `$(touch $(printf '\\057tmp\\057${marker.slice(5)}'))`;
    const suffixes = [
      'with space',
      `q'uo"te`,
      injection,
      `\`touch ${marker.slice(5)}\`;x`,
      'back\\slash',
      'ünïcødé-名前-🚀',
      'x'.repeat(220),
      'new\nline\ttab',
      '*glob?[x]|pipe&amp;semi',
      '-dash',
    ];
    const names = [];
    for (const suffix of suffixes) names.push(await lab.addNamespace(suffix));

    const result = await discoverNamespaces(everything);
    expect(unexpectedErrors(result)).toEqual([]);
    for (const name of names) {
      const path = `/run/netns/${name}`;
      expect(result.namespaces.filter((ns) => ns.name === name)).toEqual([
        expect.objectContaining({ name, path, inode: statSync(path).ino, source: 'named' }),
      ]);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(marker.slice(5))).toBe(false);
  });

  test('skips a name that is not valid UTF-8 with an error, and finds the rest', async () => {
    const good = await lab.addNamespace('next-to-bad-utf8');
    // Node hands only UTF-8 strings to child processes, so the bytes are made by printf in a constant script.
    const makeOrDelete = 'ip netns "$1" "$2$(printf "\\377\\376bad")"';
    const deleteBad = async (): Promise<void> => {
      await execa('bash', ['-c', makeOrDelete, 'bash', 'delete', lab.prefix], { reject: false });
    };
    lab.onCleanup(deleteBad);
    await execa('bash', ['-c', makeOrDelete, 'bash', 'add', lab.prefix]);
    try {
      const result = await discoverNamespaces(named);
      expect(result.errors).toEqual([expect.stringMatching(/not valid UTF-8 in \/run\/netns: nxt-disc-[0-9a-f]{6}-\\xff\\xfebad$/)]);
      expect(result.namespaces.some((ns) => ns.name === good)).toBe(true);
      expect(result.namespaces.some((ns) => ns.name.startsWith(lab.prefix) && ns.name.endsWith('bad'))).toBe(false);
    } finally {
      await deleteBad();
    }
  });

  test('survives namespaces deleted and processes exiting while it runs', async () => {
    for (let round = 0; round < 3; round++) {
      const names = await lab.addNamespaces(Array.from({ length: 200 }, (_, i) => `churn${round}-${i}`));
      const held = await Promise.all(Array.from({ length: 5 }, () => lab.holdUnnamedNamespace()));
      const heldInodes = new Set(held.map((h) => h.inode));

      const churn = Promise.all([lab.deleteNamespaces(names), ...held.map((h) => lab.releaseUnnamedNamespace(h.pid))]);
      const during = await discoverNamespaces(everything);
      await churn;

      expect(unexpectedErrors(during)).toEqual([]);
      // Whatever it saw was real when it looked: a lab name with its own inode, or a held namespace.
      for (const ns of during.namespaces.filter((ns) => ns.name.includes(`churn${round}-`))) {
        expect(ns.source).toBe('named');
        expect(ns.dev).toBe(statSync('/proc/self/ns/net').dev);
      }
      for (const ns of during.namespaces.filter((ns) => heldInodes.has(ns.inode))) expect(ns.source).toBe('process');

      const after = await discoverNamespaces(everything);
      expect(after.namespaces.some((ns) => ns.name.includes(`churn${round}-`) || heldInodes.has(ns.inode))).toBe(false);
    }
  });

  test('1,000 named namespaces (plus every process) are all found', async () => {
    // how fast: bench/speed-targets.ts (discovery), not here
    const names = await lab.addNamespaces(Array.from({ length: 1000 }, (_, i) => `perf-${i}`));
    const result = await discoverNamespaces(everything);
    const found = new Set(result.namespaces.map((ns) => ns.name));
    expect(names.filter((name) => !found.has(name))).toEqual([]);
    await lab.deleteNamespaces(names);
  });
});

describe('the process lists over a /proc where processes exit during the walk', () => {
  test('a process gone between its namespace link and its name is not counted; the others are, by namespace', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'netns-exporter-proc-'));
    try {
      const link = async (pid: number, inode: number) => {
        mkdirSync(join(proc, String(pid), 'ns'), { recursive: true });
        await execa('ln', ['-s', `net:[${inode}]`, join(proc, String(pid), 'ns', 'net')]);
      };
      // 10: dnsmasq; 11: exited after its link was read (no comm left); 12: a console script whose
      // comm is cut, with its command line; 13: the exporter's own namespace, whose names are not read
      await link(10, 4026599990);
      writeFileSync(join(proc, '10', 'comm'), 'dnsmasq\n');
      await link(11, 4026599990);
      await link(12, 4026599991);
      writeFileSync(join(proc, '12', 'comm'), 'neutron-keepali\n');
      writeFileSync(join(proc, '12', 'cmdline'), '/usr/bin/python3\0/usr/bin/neutron-keepalived-state-change\0--router_id=x\0');
      await link(13, ownInode);
      const result = await discoverNamespaces({
        netnsDirs: [],
        scanProcesses: true,
        includeHost: false,
        procRoot: proc,
        listProcesses: true,
      });
      expect(result.errors).toEqual([]);
      expect(result.namespaces.map((ns) => [ns.name, ns.processes])).toEqual([
        ['net:[4026599990]', [{ pid: 10, comm: 'dnsmasq' }]],
        [
          'net:[4026599991]',
          [{ pid: 12, comm: 'neutron-keepali', cmdline: '/usr/bin/python3\0/usr/bin/neutron-keepalived-state-change\0--router_id=x\0' }],
        ],
      ]);
      // without listProcesses nothing is read beyond the links
      const unlisted = await discoverNamespaces({ netnsDirs: [], scanProcesses: true, includeHost: false, procRoot: proc });
      expect(unlisted.namespaces.map((ns) => ns.processes)).toEqual([undefined, undefined]);
      // listProcesses without scanProcesses: the walk is made, and no process-held namespace is reported
      const listedOnly = await discoverNamespaces({
        netnsDirs: [],
        scanProcesses: false,
        includeHost: false,
        procRoot: proc,
        listProcesses: true,
      });
      expect(listedOnly).toEqual({ namespaces: [], errors: [] });
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});

describe('the process scan over a /proc it cannot fully read', () => {
  test('one summary line that names the errno and the first pid, and the readable processes are still found', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'netns-exporter-proc-'));
    try {
      // pids 7 and 12: ns/net is a plain file, so readlink fails (EINVAL), as a refused link would;
      // pid 30: a readable link; pid 40: exited (no ns/ at all), which is not a failure
      for (const pid of [7, 12]) {
        mkdirSync(join(proc, String(pid), 'ns'), { recursive: true });
        writeFileSync(join(proc, String(pid), 'ns', 'net'), '');
      }
      mkdirSync(join(proc, '30', 'ns'), { recursive: true });
      await execa('ln', ['-s', 'net:[4026599999]', join(proc, '30', 'ns', 'net')]);
      mkdirSync(join(proc, '40'));
      const result = await discoverNamespaces({ netnsDirs: [], scanProcesses: true, includeHost: false, procRoot: proc });
      expect(result.errors).toEqual([
        `could not examine the network namespace of 2 processes under ${proc} (first: EINVAL for pid 7; ` +
          "reading another user's needs CAP_SYS_PTRACE, and a process of another user namespace may refuse even root)",
      ]);
      expect(result.namespaces.map((ns) => [ns.name, ns.inode, ns.source])).toEqual([['net:[4026599999]', 4026599999, 'process']]);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
