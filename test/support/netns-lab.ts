// Real network namespaces for kernel tests: every namespace, veth and process a test makes here
// carries one unique prefix and is removed by cleanup(), even after a failed test. Names and
// arguments only ever travel as argv elements, never through a shell.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { execa } from 'execa';
import { isRoot, skipUnless } from './gates.js';

export interface VethEnd {
  /** Full namespace name (as returned by addNamespace). */
  readonly ns: string;
  readonly dev: string;
  /** IPv4 address with prefix length, e.g. 10.9.0.1/24. */
  readonly cidr?: string;
  /** IPv6 address with prefix length; without it IPv6 is disabled on the device. */
  readonly cidr6?: string;
}

export interface HeldNamespace {
  /** The `unshare --net sleep` process holding the namespace; its /proc/<pid>/ns/net is the namespace. */
  readonly pid: number;
  readonly inode: number;
}

export interface NetnsLab {
  /** `nxt-<tag>-<6 hex>-`: every namespace of this lab starts with it (Neutron-named ones contain it). */
  readonly prefix: string;
  /** `ip netns add <prefix><suffix>` (and `ip link set lo up` in it when asked); returns the full name. */
  addNamespace(suffix: string, options?: { readonly loopbackUp?: boolean }): Promise<string>;
  /** Many at once (one `ip -batch` process when the names need no quoting); returns the full names in order. */
  addNamespaces(suffixes: readonly string[]): Promise<string[]>;
  /**
   * A namespace named like Neutron's, `<kind>-<prefix><suffix>` (e.g. `qrouter-nxt-e2e-1a2b3c-r1`),
   * so the exporter classifies it; it does not start with the prefix but contains it, and is
   * cleaned up like the others.
   */
  addNeutronNamespace(kind: NeutronKind, suffix: string): Promise<string>;
  /**
   * A namespace named exactly as Neutron names one, `<kind>-<uuid>`, for what needs a real id (the
   * HA state file path takes UUIDs only). The uuid is random but starts with this lab's hex, and
   * the namespace is cleaned up like the others. `id`: one this lab made before (to make it again
   * after a delete). Returns the name and the id.
   */
  addNeutronNamespaceWithId(kind: NeutronKind, id?: string): Promise<{ readonly name: string; readonly id: string }>;
  /** `ip netns attach <prefix><suffix> <pid>`: names the namespace a process is in; returns the full name. */
  attachNamespace(suffix: string, pid: number): Promise<string>;
  /** `ip netns exec <ns> <argv...>` without a shell; resolves with stdout exactly as written, rejects on failure. */
  run(ns: string, argv: readonly string[]): Promise<string>;
  /**
   * A veth pair between two namespaces (or within one), both ends up. IPv6 is disabled on an end
   * unless it has cidr6; then the address is added with nodad and no link-local address is generated,
   * so there is no DAD probe and no router solicitation (the kernel still sends a few MLD reports
   * for the address's multicast group in the first seconds).
   */
  vethPair(a: VethEnd, b: VethEnd): Promise<void>;
  /** Sends `count` UDP datagrams of `payloadBytes` (default 32) from inside `ns`; each one is really sent. */
  sendUdp(ns: string, address: string, port: number, count: number, payloadBytes?: number): Promise<void>;
  /** A namespace no name points to, held by an `unshare --net sleep` child until cleanup (or release). */
  holdUnnamedNamespace(): Promise<HeldNamespace>;
  /** Kills the process holding an unnamed namespace (so the namespace goes away). */
  releaseUnnamedNamespace(pid: number): Promise<void>;
  /**
   * Starts `argv` inside `ns` (a namespace of this lab) with `ip netns exec`, which execs it in place,
   * so the pid is the command's; no shell. Resolves with the pid once the command runs (its
   * /proc/<pid>/comm is no longer `ip`); killed at cleanup, or by stopProcess.
   */
  startProcess(ns: string, argv: readonly string[]): Promise<number>;
  /** Kills a process startProcess started and waits until it is reaped (gone from /proc). */
  stopProcess(pid: number): Promise<void>;
  /** `ip netns delete <name>` for a namespace of this lab; rejects when that fails. */
  deleteNamespace(name: string): Promise<void>;
  /** Deletes many in one `ip -batch` process when the names need no quoting; rejects when one fails. */
  deleteNamespaces(names: readonly string[]): Promise<void>;
  /** Registers more teardown (a bind mount, a temp dir) to run first in cleanup(). */
  onCleanup(task: () => Promise<void> | void): void;
  /** Deletes every namespace it made, kills its processes, runs onCleanup tasks; safe to call twice. */
  cleanup(): Promise<void>;
}

export type NeutronKind = 'qrouter' | 'qdhcp' | 'snat' | 'fip' | 'qlbaas' | 'ovnmeta';

export { isRoot };

/**
 * For `describe.skipIf(skipUnlessRoot('...'))`: true (skip) when not root, with a warning that cannot
 * be missed; under NETNS_EXPORTER_REQUIRE_ROOT_TESTS (CI) it throws instead (see gates.ts).
 */
export function skipUnlessRoot(what: string): boolean {
  return skipUnless(isRoot, what, 'it needs root (it creates network namespaces); run it as root');
}

export async function createNetnsLab(tag: string): Promise<NetnsLab> {
  if (!/^[a-z0-9-]{1,20}$/.test(tag)) throw new Error(`lab tag must be short [a-z0-9-]: ${JSON.stringify(tag)}`);
  const hex = randomBytes(3).toString('hex');
  const prefix = `nxt-${tag}-${hex}-`;
  const namespaces = new Set<string>();
  const holders = new Map<number, ChildProcess>();
  const extraCleanup: (() => Promise<void> | void)[] = [];

  const owned = (name: string): void => {
    if (!name.includes(prefix) && !namespaces.has(name))
      throw new Error(`${JSON.stringify(name)} is not a namespace of this lab (${prefix})`);
  };

  // Last resort when the test process dies without afterAll: leave nothing behind.
  const onExit = (): void => {
    for (const child of holders.values()) child.kill('SIGKILL');
    for (const name of namespaces) {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);

  const lab: NetnsLab = {
    prefix,

    async addNamespace(suffix, options) {
      const [name] = await lab.addNamespaces([suffix]);
      if (options?.loopbackUp) await execa('ip', ['-n', name as string, 'link', 'set', 'dev', 'lo', 'up']);
      return name as string;
    },

    async addNamespaces(suffixes) {
      const names = suffixes.map((suffix) => `${prefix}${suffix}`);
      for (const name of names) namespaces.add(name); // before creating: a half-made batch is still cleaned
      await batchOrEach('add', names);
      return names;
    },

    async addNeutronNamespace(kind, suffix) {
      const name = `${kind}-${prefix}${suffix}`;
      namespaces.add(name);
      await execa('ip', ['netns', 'add', name]);
      return name;
    },

    async addNeutronNamespaceWithId(kind, id = `${hex}${randomUUID().slice(hex.length)}`) {
      if (!id.startsWith(hex) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error(`${JSON.stringify(id)} is not an id of this lab (${hex})`);
      const name = `${kind}-${id}`;
      namespaces.add(name);
      await execa('ip', ['netns', 'add', name]);
      return { name, id };
    },

    async attachNamespace(suffix, pid) {
      const name = `${prefix}${suffix}`;
      namespaces.add(name);
      await execa('ip', ['netns', 'attach', name, String(pid)]);
      return name;
    },

    async run(ns, argv) {
      const { stdout } = await execa('ip', ['netns', 'exec', ns, ...argv], { stripFinalNewline: false });
      return stdout;
    },

    async vethPair(a, b) {
      await execa('ip', ['-n', a.ns, 'link', 'add', a.dev, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
      for (const end of [a, b]) await configureEnd(end);
      for (const end of [a, b]) await execa('ip', ['-n', end.ns, 'link', 'set', 'dev', end.dev, 'up']);
    },

    async sendUdp(ns, address, port, count, payloadBytes = 32) {
      if (isIP(address) === 0) throw new Error(`not an IP address: ${address}`);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
      if (!Number.isInteger(count) || count < 0) throw new Error(`bad count ${count}`);
      if (!Number.isInteger(payloadBytes) || payloadBytes < 1 || payloadBytes > 60_000) throw new Error(`bad payload size ${payloadBytes}`);
      await execa('ip', [
        'netns',
        'exec',
        ns,
        'bash',
        '-c',
        SEND_UDP_SCRIPT,
        'bash',
        address,
        String(port),
        String(count),
        'x'.repeat(payloadBytes),
      ]);
    },

    async holdUnnamedNamespace() {
      const ownInode = statSync('/proc/self/ns/net').ino;
      const child = spawn('unshare', ['--net', '--', 'sleep', '86400'], { stdio: 'ignore' });
      child.on('error', () => undefined); // a failed spawn leaves pid undefined, reported just below
      const pid = child.pid;
      if (pid === undefined) throw new Error('could not start unshare');
      holders.set(pid, child);
      // unshare execs sleep in place, so the pid is right from the start; wait until it has unshared.
      for (let waited = 0; waited < 5000; waited += 5) {
        try {
          const inode = statSync(`/proc/${pid}/ns/net`).ino;
          if (inode !== ownInode && readlinkSync(`/proc/${pid}/exe`).endsWith('sleep')) return { pid, inode };
        } catch {
          // not there yet
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`unshare --net (pid ${pid}) did not enter a new namespace within 5 s`);
    },

    async releaseUnnamedNamespace(pid) {
      const child = holders.get(pid);
      if (!child) throw new Error(`pid ${pid} is not held by this lab`);
      holders.delete(pid);
      await killAndWait(child);
    },

    async startProcess(ns, argv) {
      owned(ns);
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'ignore' });
      child.on('error', () => undefined); // a failed spawn leaves pid undefined, reported just below
      const pid = child.pid;
      if (pid === undefined) throw new Error(`could not start ${argv[0] ?? ''} in ${ns}`);
      holders.set(pid, child);
      for (let waited = 0; waited < 5000; waited += 5) {
        let comm = '';
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // not there yet, or exited (seen below)
        }
        if (comm !== '' && comm !== 'ip') return pid;
        if (child.exitCode !== null) throw new Error(`${argv[0] ?? ''} in ${ns} exited with status ${child.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`${argv[0] ?? ''} (pid ${pid}) did not start in ${ns} within 5 s`);
    },

    async stopProcess(pid) {
      const child = holders.get(pid);
      if (!child) throw new Error(`pid ${pid} was not started by this lab`);
      holders.delete(pid);
      await killAndWait(child);
    },

    async deleteNamespace(name) {
      await lab.deleteNamespaces([name]);
    },

    async deleteNamespaces(names) {
      for (const name of names) owned(name);
      await deleteAll(names);
      for (const name of names) namespaces.delete(name);
    },

    onCleanup(task) {
      extraCleanup.push(task);
    },

    async cleanup() {
      const tasks = extraCleanup.splice(0).reverse();
      for (const task of tasks) {
        try {
          await task();
        } catch (error) {
          console.warn(`netns lab ${prefix}: cleanup task failed: ${String(error)}`);
        }
      }
      const children = [...holders.values()];
      holders.clear();
      await Promise.all(children.map(killAndWait));
      const names = [...namespaces];
      namespaces.clear();
      // Tests may have deleted some already; only the ones still there are deleted (and must go).
      const present = names.filter((name) => existsSync(`/run/netns/${name}`));
      try {
        await deleteAll(present);
      } catch (error) {
        console.warn(`netns lab ${prefix}: could not delete every namespace: ${String(error)}`);
      }
      process.removeListener('exit', onExit);
    },
  };
  return lab;
}

export type RulesBackend = 'nft' | 'legacy';

function iptablesTool(backend: RulesBackend, family: 4 | 6): string {
  return `${family === 6 ? 'ip6tables' : 'iptables'}-${backend}`;
}

/**
 * A Neutron-like router ruleset covering what the parsers must decode: user chains (Neutron's names),
 * jumps and gotos, comments with quotes, a backslash and non-ASCII text, a rule without a target,
 * ACCEPT/DROP/RETURN, REJECT, LOG, NFLOG (a native log expression under nft), MARK, CONNMARK, CT,
 * SNAT, DNAT, MASQUERADE, REDIRECT, and a DROP policy.
 */
export async function applyRouterRules(lab: NetnsLab, ns: string, backend: RulesBackend): Promise<void> {
  const v4 = (...args: string[]): Promise<string> => lab.run(ns, [iptablesTool(backend, 4), ...args]);
  const v6 = (...args: string[]): Promise<string> => lab.run(ns, [iptablesTool(backend, 6), ...args]);
  for (const chain of ['neutron-l3-agent-INPUT', 'neutron-filter-top', 'neutron-l3-agent-local', 'Z-last']) await v4('-N', chain);
  await v4('-A', 'INPUT', '-j', 'neutron-l3-agent-INPUT');
  await v4(
    '-A',
    'neutron-l3-agent-INPUT',
    '-p',
    'udp',
    '--dport',
    '9697',
    '-m',
    'comment',
    '--comment',
    'metadata "proxy" \\ path',
    '-j',
    'ACCEPT',
  );
  await v4('-A', 'neutron-l3-agent-INPUT', '-s', '10.0.0.0/8', '-m', 'comment', '--comment', 'drop ünïcode', '-j', 'DROP');
  await v4('-A', 'FORWARD', '-g', 'neutron-filter-top');
  await v4('-A', 'neutron-filter-top', '-j', 'neutron-l3-agent-local');
  await v4('-A', 'neutron-filter-top', '-j', 'RETURN');
  await v4('-A', 'OUTPUT', '-p', 'udp', '-m', 'multiport', '--dports', '5000:6000', '-j', 'LOG', '--log-prefix', 'x ');
  await v4('-A', 'OUTPUT', '-p', 'udp', '--dport', '7000', '-j', 'NFLOG', '--nflog-group', '5');
  await v4('-A', 'OUTPUT', '-p', 'tcp', '--dport', '7001', '-j', 'REJECT', '--reject-with', 'tcp-reset');
  await v4('-A', 'OUTPUT', '-p', 'udp');
  await v4(
    '-A',
    'OUTPUT',
    '-p',
    'udp',
    '--dport',
    '7002',
    '-m',
    'comment',
    '--comment',
    'first',
    '-m',
    'comment',
    '--comment',
    'second',
    '-j',
    'DROP',
  );
  await v4('-A', 'OUTPUT', '-p', 'udp', '-m', 'comment', '--comment', 'count udp', '-j', 'ACCEPT');
  await v4('-P', 'FORWARD', 'DROP');
  await v4(
    '-t',
    'nat',
    '-A',
    'POSTROUTING',
    '-s',
    '10.1.0.0/24',
    '-m',
    'comment',
    '--comment',
    'snat',
    '-j',
    'SNAT',
    '--to-source',
    '192.0.2.1',
  );
  await v4('-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-test', '-j', 'MASQUERADE');
  await v4('-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '80', '-j', 'REDIRECT', '--to-ports', '8080');
  await v4('-t', 'nat', '-A', 'OUTPUT', '-d', '192.0.2.10', '-j', 'DNAT', '--to-destination', '10.1.0.5');
  await v4('-t', 'mangle', '-A', 'PREROUTING', '-j', 'MARK', '--set-xmark', '0x1/0xffff');
  await v4('-t', 'mangle', '-A', 'OUTPUT', '-j', 'CONNMARK', '--save-mark', '--nfmask', '0xffff', '--ctmask', '0xffff');
  await v4('-t', 'raw', '-A', 'PREROUTING', '-p', 'udp', '--dport', '4789', '-j', 'CT', '--notrack');

  await v6('-N', 'v6-chain');
  await v6('-A', 'INPUT', '-p', 'ipv6-icmp', '-m', 'comment', '--comment', 'v6 icmp', '-j', 'ACCEPT');
  await v6('-A', 'INPUT', '-j', 'v6-chain');
  await v6('-A', 'v6-chain', '-p', 'tcp', '-j', 'DROP');
  await v6('-A', 'OUTPUT', '-p', 'udp', '-m', 'comment', '--comment', 'v6 udp', '-j', 'ACCEPT');
  await v6('-A', 'OUTPUT', '-p', 'tcp', '--dport', '7001', '-j', 'REJECT');
  await v6('-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-test', '-j', 'MASQUERADE');
  await v6('-t', 'mangle', '-A', 'FORWARD', '-j', 'MARK', '--set-mark', '2');
}

/** What `ip netns exec <ns> cat /proc/net/dev` shows, byte for byte (as a UTF-8 string). */
export async function readProcNetDevIn(ns: string): Promise<string> {
  const { stdout } = await execa('ip', ['netns', 'exec', ns, 'cat', '/proc/net/dev'], { stripFinalNewline: false });
  return stdout;
}

export type IptablesSaveTool = 'iptables-nft-save' | 'ip6tables-nft-save' | 'iptables-legacy-save' | 'ip6tables-legacy-save';

/** What `<tool> -c` prints inside `ns` (its `# Generated by ... on <date>` lines carry a timestamp). */
export async function iptablesSaveIn(ns: string, tool: IptablesSaveTool): Promise<string> {
  const { stdout } = await execa('ip', ['netns', 'exec', ns, tool, '-c'], { stripFinalNewline: false });
  return stdout;
}

// A connected UDP socket reports an ICMP port unreachable from an earlier datagram as the error of
// the next send, and that datagram is not sent; one retry sends it, so exactly $3 go out.
const SEND_UDP_SCRIPT = `
exec 3>"/dev/udp/$1/$2" || exit 1
for ((i = 0; i < $3; i++)); do
  printf '%s' "$4" >&3 2>/dev/null || printf '%s' "$4" >&3 || exit 1
done
`;

async function deleteAll(names: readonly string[]): Promise<void> {
  await batchOrEach('delete', names);
}

// `ip -batch` splits lines on blanks and gives quotes a meaning, so only plain names go through it;
// one process for a thousand namespaces instead of a thousand.
async function batchOrEach(verb: 'add' | 'delete', names: readonly string[]): Promise<void> {
  if (names.length > 1 && names.every((name) => /^[A-Za-z0-9._-]+$/.test(name))) {
    await execa('ip', ['-force', '-batch', '-'], { input: names.map((name) => `netns ${verb} ${name}\n`).join('') });
    return;
  }
  for (const name of names) await execa('ip', ['netns', verb, name]);
}

async function configureEnd(end: VethEnd): Promise<void> {
  if (end.cidr6 === undefined) {
    // Written through /proc rather than `sysctl key=value`: a device name may contain '.' or '='.
    await execa('ip', ['netns', 'exec', end.ns, 'tee', `/proc/sys/net/ipv6/conf/${end.dev}/disable_ipv6`], {
      input: '1\n',
      stdout: 'ignore',
    });
  } else {
    await execa('ip', ['-n', end.ns, 'link', 'set', 'dev', end.dev, 'addrgenmode', 'none']);
    await execa('ip', ['-n', end.ns, 'addr', 'add', end.cidr6, 'dev', end.dev, 'nodad']);
  }
  if (end.cidr !== undefined) await execa('ip', ['-n', end.ns, 'addr', 'add', end.cidr, 'dev', end.dev]);
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
