// netns_processes against the kernel's own view: real processes started inside lab namespaces (copies
// of sleep named after Neutron's services, and a Python script named like the L3 agent's
// neutron-keepalived-state-change), counted by the built exporter with both backends and compared
// with `ip netns pids <ns>` and /proc at that moment; then killed, and the zeros seen.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discoverNamespaces } from '../../src/discovery/discover-namespaces.js';
import { loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { builtMain } from '../support/built.js';
import { parseExposition, select } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const backends = ['exec', ...(loadNativeAddon().ok ? ['native'] : [])];
const STATE_CHANGE = 'neutron-keepalived-state-change';

describe.skipIf(skipUnlessRoot('processes collector tests'))('netns_processes vs ip netns pids and /proc', () => {
  let lab: NetnsLab;
  let bin: string;
  let dhcp: string;
  let router: string;
  let legacyRouter: string;
  let plain: string;
  /** What each started pid runs: the name it must be counted under. */
  const started = new Map<number, string>();

  const start = async (ns: string, name: string, argv: readonly string[]): Promise<number> => {
    const pid = await lab.startProcess(ns, argv);
    started.set(pid, name);
    return pid;
  };
  const stop = async (pid: number): Promise<void> => {
    await lab.stopProcess(pid);
    started.delete(pid);
  };

  /** The kernel's view: per lab namespace, the started processes `ip netns pids` lists in it, counted by name. */
  async function kernelCounts(): Promise<Map<string, Map<string, number>>> {
    const counts = new Map<string, Map<string, number>>();
    for (const ns of [dhcp, router, legacyRouter, plain]) {
      const pids = (await execa('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
      const byName = new Map<string, number>();
      for (const pid of pids) {
        const name = started.get(pid);
        if (name === undefined) throw new Error(`pid ${pid} in ${ns} was not started by this test`);
        byName.set(name, (byName.get(name) ?? 0) + 1);
      }
      counts.set(ns, byName);
    }
    return counts;
  }

  async function scrape(backend: string, extra: readonly string[] = []): Promise<Map<string, Map<string, number>>> {
    const { stdout } = await execa('node', [
      builtMain,
      '--once',
      `--collector.backend=${backend}`,
      `--netns.include=${escapeRegex(lab.prefix)}`,
      ...extra,
    ]);
    const parsed = parseExposition(stdout);
    for (const ns of [dhcp, router, legacyRouter, plain]) {
      expect(select(parsed, 'netns_collector_success', { netns: ns, collector: 'processes' })[0]?.value, ns).toBe(1);
    }
    const counts = new Map<string, Map<string, number>>();
    for (const { labels, value } of select(parsed, 'netns_processes')) {
      const ns = labels.netns as string;
      counts.set(ns, (counts.get(ns) ?? new Map<string, number>()).set(labels.name as string, value));
    }
    return counts;
  }

  beforeAll(async () => {
    lab = await createNetnsLab('procs');
    bin = mkdtempSync(join(tmpdir(), 'nxt-procs-bin-'));
    lab.onCleanup(() => rmSync(bin, { recursive: true, force: true }));
    // comm is the base name of the file executed: copies of sleep under the services' names
    for (const name of ['dnsmasq', 'haproxy', 'keepalived', 'radvd']) copyFileSync('/usr/bin/sleep', join(bin, name));
    // a console script as pip installs Neutron's: the kernel names it after the script, cut to 15 bytes
    writeFileSync(join(bin, STATE_CHANGE), '#!/usr/bin/python3\nimport time\ntime.sleep(86400)\n');
    chmodSync(join(bin, STATE_CHANGE), 0o755);

    dhcp = await lab.addNeutronNamespace('qdhcp', 'd');
    router = await lab.addNeutronNamespace('qrouter', 'ha');
    legacyRouter = await lab.addNeutronNamespace('qrouter', 'legacy');
    plain = await lab.addNamespace('plain');

    await start(dhcp, 'dnsmasq', [join(bin, 'dnsmasq'), '86400']);
    await start(router, 'haproxy', [join(bin, 'haproxy'), '86400']);
    await start(router, 'keepalived', [join(bin, 'keepalived'), '86400']);
    await start(router, 'keepalived', [join(bin, 'keepalived'), '86400']);
    await start(router, STATE_CHANGE, [join(bin, STATE_CHANGE), `--router_id=${router}`]);
    await start(router, 'radvd', [join(bin, 'radvd'), '86400']);
    // the script run through its interpreter by hand: comm is python3 (the file executed), the script is argv[2] after -u
    await start(plain, STATE_CHANGE, ['/usr/bin/python3', '-u', join(bin, STATE_CHANGE)]);
    // not a configured name: not counted, not reported
    await start(plain, 'sleep', ['/usr/bin/sleep', '86400']);
  }, 60_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  test('the processes are as the kernel shows them: comm cut to 15 bytes, the script in the command line', async () => {
    const pidOf = (name: string) => [...started].find(([, n]) => n === name)?.[0] as number;
    const comm = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    expect(comm(pidOf('haproxy'))).toBe('haproxy');
    const scripts = [...started].filter(([, name]) => name === STATE_CHANGE).map(([pid]) => pid);
    expect(scripts.map(comm).sort()).toEqual(['neutron-keepali', 'python3']);
    for (const pid of scripts) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(`${bin}/${STATE_CHANGE}\0`);
  });

  test.each(backends)('%s: counts equal ip netns pids, with a 0 for what each kind expects and nothing else', async (backend) => {
    const before = await kernelCounts();
    const scraped = await scrape(backend);
    const after = await kernelCounts();
    expect(after).toEqual(before); // nothing started or stopped meanwhile
    expect(scraped.get(dhcp)).toEqual(new Map([['dnsmasq', 1]]));
    expect(scraped.get(router)).toEqual(
      new Map([
        ['haproxy', 1],
        ['keepalived', 2],
        ['radvd', 1],
        [STATE_CHANGE, 1],
      ]),
    );
    expect(before.get(router)).toEqual(new Map([...(scraped.get(router) ?? [])].filter(([, count]) => count > 0)));
    // a router with none of the HA processes: its metadata proxy is expected (and missing), keepalived is not
    expect(scraped.get(legacyRouter)).toEqual(new Map([['haproxy', 0]]));
    // kind other: only what runs, and sleep is not a configured name
    expect(scraped.get(plain)).toEqual(new Map([[STATE_CHANGE, 1]]));
  });

  test('a killed service shows as 0; --no-netns.scan-processes still counts, and leaves unnamed namespaces out', async () => {
    const unnamed = await lab.holdUnnamedNamespace();
    const killed = [...started].filter(([, name]) => name === 'keepalived' || name === 'dnsmasq' || name === 'haproxy');
    for (const [pid] of killed) await stop(pid);
    for (const backend of backends) {
      const scraped = await scrape(backend, ['--no-netns.scan-processes']);
      const kernel = await kernelCounts();
      expect(kernel.get(dhcp)).toEqual(new Map());
      expect(scraped.get(dhcp)).toEqual(new Map([['dnsmasq', 0]]));
      // neutron-keepalived-state-change still runs: an HA router, whose keepalived is now missing
      expect(scraped.get(router)).toEqual(
        new Map([
          ['haproxy', 0],
          ['keepalived', 0],
          ['radvd', 1],
          [STATE_CHANGE, 1],
        ]),
      );
      expect([...scraped.keys()].some((ns) => ns === `net:[${unnamed.inode}]`)).toBe(false);
    }
    await lab.releaseUnnamedNamespace(unnamed.pid);
  });

  test.each(backends)(
    '%s: netns_info names the holder of a namespace no Neutron name explains (lowest pid, as ip netns pids and /proc say)',
    async (backend) => {
      const unnamed = await lab.holdUnnamedNamespace();
      try {
        const { stdout } = await execa('node', [
          builtMain,
          '--once',
          `--collector.backend=${backend}`,
          `--netns.include=${escapeRegex(lab.prefix)}|^net:\\[${unnamed.inode}\\]$`,
        ]);
        const info = (netns: string) => select(parseExposition(stdout), 'netns_info', { netns })[0]?.labels;
        const lowest = Math.min(...(await execa('ip', ['netns', 'pids', plain])).stdout.split('\n').filter(Boolean).map(Number));
        const commOf = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        // this machine's own processes sit in a cgroup no runtime made (memory:/process_api/<32 hex>): no container labels
        expect(info(plain)).toEqual({ netns: plain, kind: 'other', id: '', holder: commOf(lowest) });
        expect(info(`net:[${unnamed.inode}]`)).toEqual({ netns: `net:[${unnamed.inode}]`, kind: 'other', id: '', holder: 'sleep' });
        expect(commOf(unnamed.pid)).toBe('sleep');
        // a Neutron namespace says what it is by its name: no holder
        expect(info(router)).toEqual({ netns: router, kind: 'qrouter', id: router.slice('qrouter-'.length) });
      } finally {
        await lab.releaseUnnamedNamespace(unnamed.pid);
      }
    },
  );

  test('processes that come and go during the walk: never a failure, and the ones that stay are counted exactly', async () => {
    const stable = await start(router, 'haproxy', [join(bin, 'haproxy'), '86400']);
    let churning = true;
    const churn = (async () => {
      // short-lived dnsmasq copies, so that some exit between the walk's readlink and its read of comm
      while (churning) await execa('ip', ['netns', 'exec', dhcp, join(bin, 'dnsmasq'), '0.01'], { reject: false });
    })();
    try {
      for (let round = 0; round < 30; round++) {
        const { namespaces, errors } = await discoverNamespaces({
          netnsDirs: ['/run/netns'],
          scanProcesses: false,
          includeHost: false,
          listProcesses: true,
        });
        expect(errors.filter((error) => !/^could not examine the network namespace of \d+ processes/.test(error))).toEqual([]);
        const inRouter = namespaces.find((ns) => ns.name === router)?.processes ?? [];
        expect(inRouter.filter((p) => p.comm === 'haproxy').map((p) => p.pid)).toEqual([stable]);
        const inDhcp = namespaces.find((ns) => ns.name === dhcp)?.processes;
        expect(inDhcp).toBeDefined();
        // a copy is `ip` until ip netns exec has exec'd it
        for (const process of inDhcp ?? []) expect(['dnsmasq', 'ip']).toContain(process.comm);
      }
    } finally {
      churning = false;
      await churn;
      await stop(stable);
    }
  }, 60_000);
});
