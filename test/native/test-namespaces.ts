// Network namespaces for the native reader's kernel tests, the fixture capture and the micro bench:
// a unique prefix per run, commands as argument arrays (never a shell for names), and removal of
// everything created even when a test fails.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const isRoot = process.getuid?.() === 0;

export function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runBuffer(command: string, args: readonly string[]): Buffer {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function inNetns(ns: string, command: string, args: readonly string[]): string {
  return run('ip', ['netns', 'exec', ns, command, ...args]);
}

export class TestNamespaces {
  /** e.g. `nxt-1a2b3c-`; nothing outside this prefix is ever touched. */
  readonly prefix = `nxt-${randomBytes(3).toString('hex')}-`;
  private readonly names: string[] = [];
  private readonly holders: ChildProcess[] = [];

  /** Creates /run/netns/<prefix><suffix> with lo up. */
  create(suffix: string): string {
    const name = `${this.prefix}${suffix}`;
    run('ip', ['netns', 'add', name]);
    this.names.push(name);
    inNetns(name, 'ip', ['link', 'set', 'lo', 'up']);
    return name;
  }

  /** Joins two namespaces with a veth pair (IPv6 off, so no autoconf traffic moves counters). */
  link(a: string, aDev: string, aAddress: string, b: string, bDev: string, bAddress: string): void {
    run('ip', ['link', 'add', aDev, 'netns', a, 'type', 'veth', 'peer', 'name', bDev, 'netns', b]);
    for (const [ns, dev, address] of [[a, aDev, aAddress], [b, bDev, bAddress]] as const) {
      inNetns(ns, 'sysctl', ['-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
      inNetns(ns, 'ip', ['address', 'add', address, 'dev', dev]);
      inNetns(ns, 'ip', ['link', 'set', dev, 'up']);
    }
  }

  /** Deletes a namespace now (for vanish tests); destroy() skips it afterwards. */
  remove(name: string): void {
    run('ip', ['netns', 'delete', name]);
    this.names.splice(this.names.indexOf(name), 1);
  }

  /** An unnamed namespace held only by a sleeping process; returns its /proc/<pid>/ns/net path. */
  async unnamed(): Promise<{ path: string; pid: number }> {
    const holder = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
    this.holders.push(holder);
    const pid = holder.pid;
    if (pid === undefined) throw new Error('unshare did not start');
    // wait until unshare has exec'd sleep inside the new namespace
    const own = run('readlink', ['/proc/self/ns/net']).trim();
    for (let i = 0; i < 100; i++) {
      try {
        if (run('readlink', [`/proc/${pid}/ns/net`]).trim() !== own) return { path: `/proc/${pid}/ns/net`, pid };
      } catch {
        // not there yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('unshare never entered a new namespace');
  }

  destroy(): void {
    for (const holder of this.holders) holder.kill('SIGKILL');
    this.holders.length = 0;
    for (const name of this.names.splice(0)) {
      try {
        run('ip', ['netns', 'delete', name]);
      } catch {
        // already gone
      }
    }
  }
}

export type Backend = 'nft' | 'legacy';

function tool(backend: Backend, family: 4 | 6): string {
  return `${family === 6 ? 'ip6tables' : 'iptables'}-${backend}`;
}

/**
 * A Neutron-like router ruleset covering what the parsers must decode: user chains (Neutron's names),
 * jumps and gotos, comments with quotes, a backslash and non-ASCII text, a rule without a target,
 * ACCEPT/DROP/RETURN, REJECT, LOG, NFLOG (a native log expression under nft), MARK, CONNMARK, CT,
 * SNAT, DNAT, MASQUERADE, REDIRECT, and a DROP policy.
 */
export function applyRouterRules(ns: string, backend: Backend): void {
  const v4 = (...args: string[]): string => inNetns(ns, tool(backend, 4), args);
  const v6 = (...args: string[]): string => inNetns(ns, tool(backend, 6), args);
  for (const chain of ['neutron-l3-agent-INPUT', 'neutron-filter-top', 'neutron-l3-agent-local', 'Z-last']) v4('-N', chain);
  v4('-A', 'INPUT', '-j', 'neutron-l3-agent-INPUT');
  v4('-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '--dport', '9697', '-m', 'comment', '--comment', 'metadata "proxy" \\ path', '-j', 'ACCEPT');
  v4('-A', 'neutron-l3-agent-INPUT', '-s', '10.0.0.0/8', '-m', 'comment', '--comment', 'drop ünïcode', '-j', 'DROP');
  v4('-A', 'FORWARD', '-g', 'neutron-filter-top');
  v4('-A', 'neutron-filter-top', '-j', 'neutron-l3-agent-local');
  v4('-A', 'neutron-filter-top', '-j', 'RETURN');
  v4('-A', 'OUTPUT', '-p', 'udp', '-m', 'multiport', '--dports', '5000:6000', '-j', 'LOG', '--log-prefix', 'x ');
  v4('-A', 'OUTPUT', '-p', 'udp', '--dport', '7000', '-j', 'NFLOG', '--nflog-group', '5');
  v4('-A', 'OUTPUT', '-p', 'tcp', '--dport', '7001', '-j', 'REJECT', '--reject-with', 'tcp-reset');
  v4('-A', 'OUTPUT', '-p', 'udp');
  v4('-A', 'OUTPUT', '-p', 'udp', '--dport', '7002', '-m', 'comment', '--comment', 'first', '-m', 'comment', '--comment', 'second', '-j', 'DROP');
  v4('-A', 'OUTPUT', '-p', 'udp', '-m', 'comment', '--comment', 'count udp', '-j', 'ACCEPT');
  v4('-P', 'FORWARD', 'DROP');
  v4('-t', 'nat', '-A', 'POSTROUTING', '-s', '10.1.0.0/24', '-m', 'comment', '--comment', 'snat', '-j', 'SNAT', '--to-source', '192.0.2.1');
  v4('-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-test', '-j', 'MASQUERADE');
  v4('-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '80', '-j', 'REDIRECT', '--to-ports', '8080');
  v4('-t', 'nat', '-A', 'OUTPUT', '-d', '192.0.2.10', '-j', 'DNAT', '--to-destination', '10.1.0.5');
  v4('-t', 'mangle', '-A', 'PREROUTING', '-j', 'MARK', '--set-xmark', '0x1/0xffff');
  v4('-t', 'mangle', '-A', 'OUTPUT', '-j', 'CONNMARK', '--save-mark', '--nfmask', '0xffff', '--ctmask', '0xffff');
  v4('-t', 'raw', '-A', 'PREROUTING', '-p', 'udp', '--dport', '4789', '-j', 'CT', '--notrack');

  v6('-N', 'v6-chain');
  v6('-A', 'INPUT', '-p', 'ipv6-icmp', '-m', 'comment', '--comment', 'v6 icmp', '-j', 'ACCEPT');
  v6('-A', 'INPUT', '-j', 'v6-chain');
  v6('-A', 'v6-chain', '-p', 'tcp', '-j', 'DROP');
  v6('-A', 'OUTPUT', '-p', 'udp', '-m', 'comment', '--comment', 'v6 udp', '-j', 'ACCEPT');
  v6('-A', 'OUTPUT', '-p', 'tcp', '--dport', '7001', '-j', 'REJECT');
  v6('-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-test', '-j', 'MASQUERADE');
  v6('-t', 'mangle', '-A', 'FORWARD', '-j', 'MARK', '--set-mark', '2');
}

/** Sends `count` UDP datagrams from inside `ns` (bash's /dev/udp; the script is constant, values are arguments). */
export function sendUdp(ns: string, address: string, port: number, count: number): void {
  inNetns(ns, 'bash', ['-c', 'for ((i = 0; i < $2; i++)); do echo datagram > "/dev/udp/$0/$1"; done', address, String(port), String(count)]);
}
