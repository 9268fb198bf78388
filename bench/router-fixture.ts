// A fleet of Neutron-like routers for the scrape bench: `qrouter-<prefix><n>` namespaces, each with a
// `qg-` (gateway) and a `qr-` (tenant) veth whose peers sit in one shared "fabric" namespace (the
// br-ex / br-int side), ~45 iptables and a few ip6tables rules, UDP traffic on every fourth one, and
// Neutron-style QoS (tc) on the gateway port of every second one.
//
// Built fast and in steps (grow(500) after grow(100) adds 400): namespaces and veths through one
// `ip -batch` each, then per router one `ip -n <ns> -batch` and one iptables-restore and
// ip6tables-restore. Everything carries the prefix; destroy() (also called from the bench's signal
// handlers, synchronously) deletes every namespace made, which takes their veths along.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { ipv4Ruleset, ipv6Ruleset, type RouterAddressing } from './neutron-ruleset.js';

/** UDP port the routers REJECT with ICMP port unreachable (see neutron-ruleset.ts): traffic both ways. */
const PROBE_PORT = 33333;
/** Routers configured at once; each step is a few short processes whose time is mostly in the kernel. */
const CONFIGURE_CONCURRENCY = 6;

export interface RouterFleet {
  /** `nxt-bench-<6 hex>-`; every namespace made contains it. */
  readonly prefix: string;
  /** Regex (for --netns.include) matching exactly the routers, not the fabric namespace. */
  readonly includeRegex: string;
  /** Routers made so far. */
  readonly size: number;
  /** Adds routers until there are `total`. */
  grow(total: number, onProgress?: (done: number) => void): Promise<void>;
  /** Deletes every namespace this fleet made; synchronous so it can run from a signal handler. */
  destroy(): void;
}

function routerName(prefix: string, index: number): string {
  return `qrouter-${prefix}${index.toString(16).padStart(5, '0')}`;
}

/** Device names are at most 15 bytes: `qg-` + 5 hex digits of the index. */
function devices(index: number): { qg: string; qr: string; fabricQg: string; fabricQr: string } {
  const id = index.toString(16).padStart(5, '0');
  return { qg: `qg-${id}`, qr: `qr-${id}`, fabricQg: `g${id}`, fabricQr: `t${id}` };
}

/** Dotted quad of a 32-bit number. */
function ip(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

// Router i: gateway /30 in 100.64.0.0/10 (router .1, fabric .2), floating IP in 100.96.0.0/11
// (not on any device, only in NAT rules), tenant /24 in 10.0.0.0/8 (router .1, fabric .2).
function addressing(index: number): RouterAddressing & { gatewayPeer: string; tenantIp: string; tenantPeer: string } {
  const gateway = (100 << 24) + (64 << 16) + index * 4;
  const tenant = (10 << 24) + index * 256;
  const d = devices(index);
  return {
    qg: d.qg,
    qr: d.qr,
    gatewayIp: ip(gateway + 1),
    gatewayPeer: ip(gateway + 2),
    floatingIp: ip((100 << 24) + (96 << 16) + index + 1),
    fixedIp: ip(tenant + 5),
    tenantCidr: `${ip(tenant)}/24`,
    tenantIp: ip(tenant + 1),
    tenantPeer: ip(tenant + 2),
  };
}

async function mapLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

// One connected socket per address; an ICMP error from the REJECT makes a later send fail once, so
// errors are ignored: the point is that packets and counters move, not an exact count.
const SEND_UDP_SCRIPT = `
port=$1; count=$2; shift 2
for address in "$@"; do
  exec 3>"/dev/udp/$address/$port" || continue
  for ((i = 0; i < count; i++)); do printf 'bench' >&3 2>/dev/null; done
  exec 3>&-
done
`;

export async function createRouterFleet(): Promise<RouterFleet> {
  const prefix = `nxt-bench-${randomBytes(3).toString('hex')}-`;
  const fabric = `${prefix}fabric`;
  const made: string[] = [];
  let size = 0;

  const batch = async (args: readonly string[], lines: readonly string[]): Promise<void> => {
    if (lines.length === 0) return;
    await execa('ip', [...args, '-batch', '-'], { input: `${lines.join('\n')}\n` });
  };

  made.push(fabric);
  await batch([], [`netns add ${fabric}`]);
  await batch(['-n', fabric], ['link set lo up']);

  async function grow(total: number, onProgress?: (done: number) => void): Promise<void> {
    const indexes = Array.from({ length: Math.max(0, total - size) }, (_, i) => size + i);
    if (indexes.length === 0) return;
    const names = indexes.map((i) => routerName(prefix, i));
    made.push(...names); // before creating: a half-made batch is still cleaned up
    await batch(
      ['-force'],
      names.map((name) => `netns add ${name}`),
    );
    await batch(
      ['-force'],
      indexes.flatMap((i) => {
        const d = devices(i);
        const ns = routerName(prefix, i);
        return [
          `link add ${d.qg} netns ${ns} type veth peer name ${d.fabricQg} netns ${fabric}`,
          `link add ${d.qr} netns ${ns} type veth peer name ${d.fabricQr} netns ${fabric}`,
        ];
      }),
    );
    await batch(
      ['-n', fabric, '-force'],
      indexes.flatMap((i) => {
        const d = devices(i);
        const a = addressing(i);
        return [
          `addr add ${a.gatewayPeer}/30 dev ${d.fabricQg}`,
          `link set ${d.fabricQg} up`,
          `addr add ${a.tenantPeer}/24 dev ${d.fabricQr}`,
          `link set ${d.fabricQr} up`,
        ];
      }),
    );
    let done = 0;
    await mapLimited(indexes, CONFIGURE_CONCURRENCY, async (i) => {
      const ns = routerName(prefix, i);
      const a = addressing(i);
      await batch(
        ['-n', ns],
        [
          'link set lo up',
          `addr add ${a.gatewayIp}/30 dev ${a.qg}`,
          `link set ${a.qg} up`,
          `addr add ${a.tenantIp}/24 dev ${a.qr}`,
          `link set ${a.qr} up`,
        ],
      );
      await execa('nsenter', [`--net=/run/netns/${ns}`, '--', 'iptables-restore', '-w'], { input: ipv4Ruleset(a) });
      await execa('nsenter', [`--net=/run/netns/${ns}`, '--', 'ip6tables-restore', '-w'], { input: ipv6Ruleset(a) });
      // Neutron QoS on every second router (a bandwidth limit on its gateway port): a tbf egress and an
      // ingress qdisc with one u32 filter, Neutron's `protocol all u32 match u32 0 0`, with mirred in
      // place of police (no act_police in this kernel; the action's counters read the same)
      if (i % 2 === 0) {
        await execa('tc', ['-n', ns, '-batch', '-'], {
          input: [
            `qdisc add dev ${a.qg} root tbf rate 10mbit burst 128kbit latency 50ms`,
            `qdisc add dev ${a.qg} ingress`,
            `filter add dev ${a.qg} parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress mirror dev ${a.qr}`,
            '',
          ].join('\n'),
        });
      }
      onProgress?.(++done);
    });
    size = total;
    // Traffic on every fourth router, from the fabric side: datagrams in on qg-, REJECTed by the
    // router's filter rule, ICMP port unreachable out again; qr- gets the tenant-side packets.
    const targets = indexes.filter((i) => i % 4 === 0).flatMap((i) => [addressing(i).gatewayIp, addressing(i).tenantIp]);
    if (targets.length > 0) {
      await execa('nsenter', [
        `--net=/run/netns/${fabric}`,
        '--',
        'bash',
        '-c',
        SEND_UDP_SCRIPT,
        'bash',
        String(PROBE_PORT),
        '5',
        ...targets,
      ]);
    }
  }

  function destroy(): void {
    const present = made.splice(0).filter((name) => existsSync(`/run/netns/${name}`));
    if (present.length === 0) return;
    try {
      execFileSync('ip', ['-force', '-batch', '-'], {
        input: present.map((name) => `netns delete ${name}\n`).join(''),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
    } catch (error) {
      process.stderr.write(`bench: could not delete every namespace of ${prefix}: ${String(error)}\n`);
    }
  }

  return {
    prefix,
    includeRegex: `^qrouter-${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    get size() {
      return size;
    },
    grow,
    destroy,
  };
}
