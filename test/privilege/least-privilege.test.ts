// Least privilege, proven on the kernel: the exporter (exec backend) runs as `nobody` with exactly
// CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW, CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE and reports
// the same series, with the same values, as root does for a lab of namespaces holding interfaces,
// nft and legacy iptables rules (IPv4 and IPv6) and a namespace held only by a root process.
// Then each capability is dropped in turn and the loss it causes is exactly the documented one,
// and with no capability at all the exporter still starts, serves /metrics, reports
// netns_collector_success 0 with the reason (enter-denied) in its log, and keeps running.
// docs/security.md explains the set; keep the two in step.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select, type ParsedSeries } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type HeldNamespace, type NetnsLab } from '../support/netns-lab.js';
import {
  exporterMainFor,
  EXEC_BACKEND_CAPABILITIES,
  nobodyUser,
  scrapeOnce,
  setprivPrefix,
  type Capability,
  type UnprivilegedUser,
} from './unprivileged-user.js';

describe.skipIf(skipUnlessRoot('least-privilege tests (setpriv, namespaces, iptables)'))('least privilege with the exec backend', () => {
  let lab: NetnsLab;
  let user: UnprivilegedUser;
  let router: string;
  let plain: string;
  let held: HeldNamespace;
  let heldName: string;
  let labNames: string[];
  let args: string[];
  let rootSeries: Map<string, number>;
  let main: string;
  let cleanupMain: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    user = await nobodyUser();
    ({ main, cleanup: cleanupMain } = await exporterMainFor(user));
    lab = await createNetnsLab('priv');
    router = await lab.addNeutronNamespace('qrouter', 'r1');
    plain = await lab.addNamespace('plain');
    await lab.vethPair({ ns: router, dev: 'qr-priv0', cidr: '10.77.0.1/24' }, { ns: plain, dev: 'tap-priv0', cidr: '10.77.0.2/24' });
    // The comparison is exact, so wait for the carrier: operstate goes from down to up a moment after `link set up`.
    await waitForOperstateUp(router, 'qr-priv0');
    await waitForOperstateUp(plain, 'tap-priv0');
    // Both iptables backends and both families in the router, as a Neutron node in the middle of a
    // migration has them; nft only in the other namespace.
    await lab.run(router, ['iptables-nft', '-A', 'INPUT', '-s', '10.1.2.3/32', '-m', 'comment', '--comment', 'nft v4', '-j', 'ACCEPT']);
    await lab.run(router, ['ip6tables-nft', '-A', 'INPUT', '-s', 'fd00::3/128', '-j', 'DROP']);
    await lab.run(router, [
      'iptables-legacy',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-s',
      '10.77.0.0/24',
      '-j',
      'SNAT',
      '--to-source',
      '192.0.2.7',
    ]);
    await lab.run(router, ['ip6tables-legacy', '-A', 'FORWARD', '-i', 'qr-priv0', '-j', 'ACCEPT']);
    await lab.run(plain, ['iptables-nft', '-A', 'OUTPUT', '-d', '10.9.9.9/32', '-j', 'REJECT']);
    // A root process in the router (a copy of sleep, so its name is haproxy's): nobody counts it only with CAP_SYS_PTRACE.
    const bin = mkdtempSync(join(tmpdir(), 'nxt-priv-bin-'));
    lab.onCleanup(() => rmSync(bin, { recursive: true, force: true }));
    copyFileSync('/usr/bin/sleep', join(bin, 'haproxy'));
    await lab.startProcess(router, [join(bin, 'haproxy'), '86400']);
    // A namespace no name points to, held by a root process: reachable only through /proc/<pid>/ns/net.
    held = await lab.holdUnnamedNamespace();
    heldName = `net:[${held.inode}]`;
    await execa('nsenter', [`--net=/proc/${held.pid}/ns/net`, '--', 'iptables-nft', '-A', 'INPUT', '-j', 'ACCEPT']);

    labNames = [router, plain, heldName];
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    args = ['--collector.backend=exec', `--netns.include=^(${labNames.map(escape).join('|')})$`];

    const root = await scrapeOnce(undefined, [], args);
    expect(root.exitCode, root.stderr).toBe(0);
    rootSeries = labSeries(parseExposition(root.stdout));
  }, 120_000);

  afterAll(async () => {
    await lab?.cleanup();
    await cleanupMain();
  });

  /** Every sample about the lab's namespaces, by name and labels. */
  function labSeries(series: readonly ParsedSeries[]): Map<string, number> {
    const map = new Map<string, number>();
    for (const s of series) {
      if (s.labels.netns === undefined || !labNames.includes(s.labels.netns)) continue;
      const labels = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1));
      map.set(`${s.name}${JSON.stringify(labels)}`, s.value);
    }
    return map;
  }

  function successOf(series: readonly ParsedSeries[]): Record<string, number> {
    const result: Record<string, number> = {};
    for (const s of select(series, 'netns_collector_success')) {
      if (s.labels.netns !== undefined && labNames.includes(s.labels.netns)) result[`${s.labels.netns}/${s.labels.collector}`] = s.value;
    }
    return result;
  }

  const without = (dropped: Capability): Capability[] => EXEC_BACKEND_CAPABILITIES.filter((capability) => capability !== dropped);

  test('root sees every lab namespace, nft and legacy rules, all collectors successful', () => {
    const keys = [...rootSeries.keys()];
    for (const name of labNames)
      expect(
        keys.some((key) => key.includes(JSON.stringify(name))),
        name,
      ).toBe(true);
    const rulesIn = (netns: string, backend: string, family: string): number =>
      keys.filter(
        (key) =>
          key.startsWith('netns_iptables_rule_packets_total') &&
          key.includes(`["netns",${JSON.stringify(netns)}]`) &&
          key.includes(`["backend","${backend}"]`) &&
          key.includes(`["family","${family}"]`),
      ).length;
    expect([
      rulesIn(router, 'nft', 'ipv4'),
      rulesIn(router, 'nft', 'ipv6'),
      rulesIn(router, 'legacy', 'ipv4'),
      rulesIn(router, 'legacy', 'ipv6'),
    ]).toEqual([1, 1, 1, 1]);
    expect(
      rootSeries.get(
        `netns_processes${JSON.stringify([
          ['name', 'haproxy'],
          ['netns', router],
        ])}`,
      ),
    ).toBe(1);
    expect(rulesIn(plain, 'nft', 'ipv4')).toBe(1);
    expect(rulesIn(heldName, 'nft', 'ipv4')).toBe(1);
    const success = [...rootSeries].filter(([key]) => key.startsWith('netns_collector_success'));
    expect(success.length).toBeGreaterThanOrEqual(labNames.length * 3);
    expect(success.every(([, value]) => value === 1)).toBe(true);
  });

  test('as nobody with exactly the five capabilities, served over HTTP: the same series and values as root', async () => {
    let exporter: ExporterProcess | undefined;
    try {
      exporter = await startExporter(args, {}, { wrapper: setprivPrefix(user, EXEC_BACKEND_CAPABILITIES), main });
      const status = (await execa('ps', ['-o', 'user=', '-p', String(exporter.child.pid)])).stdout.trim();
      expect(status).toBe(user.name);
      const body = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(labSeries(parseExposition(body))).toEqual(rootSeries);
      expect(exporter.logs()).not.toMatch(/namespace collection failed/);
    } finally {
      await exporter?.stop();
    }
  });

  // every collector that reads inside the namespace; neutron_ha reads a host file, and has none here;
  // processes reads nothing inside (it needs only CAP_SYS_PTRACE)
  const INSIDE = ['interfaces', 'iptables', 'conntrack', 'carrier_changes', 'conntrack_stat', 'netstat', 'sockstat', 'neighbor'];
  const losses: { dropped: Capability; failed: (lab: { router: string; plain: string; held: string }) => string[]; log: RegExp }[] = [
    // setns(2) into a namespace owned by the initial user namespace needs CAP_SYS_ADMIN there.
    {
      dropped: 'sys_admin',
      failed: (l) => [l.router, l.plain, l.held].flatMap((ns) => INSIDE.map((collector) => `${ns}/${collector}`)),
      log: /enter-denied: nsenter: reassociate to namespace 'ns\/net' failed: Operation not permitted/,
    },
    // nfnetlink (nft rule dumps) and the x_tables getsockopt both check CAP_NET_ADMIN.
    {
      dropped: 'net_admin',
      failed: (l) => [`${l.router}/iptables`, `${l.plain}/iptables`, `${l.held}/iptables`],
      log: /iptables-nft-save -c exited with status 4: .*Permission denied \(you must be root\)/,
    },
    // iptables-legacy-save talks to the kernel over a raw socket: socket(AF_INET, SOCK_RAW) needs CAP_NET_RAW.
    {
      dropped: 'net_raw',
      failed: (l) => [`${l.router}/iptables`],
      log: /iptables-legacy-save -c exited with status 1: .*Cannot initialize: Permission denied/,
    },
    // /proc/net/ip_tables_names is 0440 root:root: unreadable, the legacy tables cannot be listed
    // (and this must fail loudly, not pass as "no legacy tables").
    {
      dropped: 'dac_read_search',
      failed: (l) => [`${l.router}/iptables`, `${l.plain}/iptables`, `${l.held}/iptables`],
      log: /Failed to list table names in \/proc\/net\/ip_tables_names: Permission denied/,
    },
  ];
  for (const loss of losses) {
    test(`without CAP_${loss.dropped.toUpperCase()}: exactly the documented collectors fail, with the reason logged`, async () => {
      const result = await scrapeOnce(user, without(loss.dropped), args, { main });
      expect(result.exitCode, result.stderr).toBe(0);
      const success = successOf(parseExposition(result.stdout));
      const expectFailed = new Set(loss.failed({ router, plain, held: heldName }));
      // sys_ptrace is kept here, so the held namespace is visible in every one of these runs.
      expect(Object.keys(success).sort()).toEqual(Object.keys(successOf(rootParsed())).sort());
      for (const [key, value] of Object.entries(success)) expect(value, key).toBe(expectFailed.has(key) ? 0 : 1);
      expect(result.stderr).toMatch(loss.log);
    });
  }

  test("without CAP_SYS_PTRACE: namespaces held only by other users' processes are not seen, processes are not counted; named ones are otherwise complete", async () => {
    const result = await scrapeOnce(user, without('sys_ptrace'), args, { main });
    expect(result.exitCode, result.stderr).toBe(0);
    const series = labSeries(parseExposition(result.stdout));
    expect([...series.keys()].some((key) => key.includes(JSON.stringify(heldName)))).toBe(false);
    // and processes are not counted (other users' could not be seen): a failure, not a 0
    const namedOnly = new Map(
      [...rootSeries]
        .filter(([key]) => !key.includes(JSON.stringify(heldName)) && !key.startsWith('netns_processes'))
        .map(([key, value]): [string, number] => [
          key,
          key.startsWith('netns_collector_success') && key.includes('"processes"') ? 0 : value,
        ]),
    );
    expect(series).toEqual(namedOnly);
    expect(successOf(parseExposition(result.stdout))[`${router}/processes`]).toBe(0);
    expect(result.stderr).toMatch(/could not examine the network namespace of \d+ processes/);
  });

  test('alternative to CAP_DAC_READ_SEARCH: supplementary group root (gid 0) gives the same scrape', async () => {
    const result = await scrapeOnce(user, without('dac_read_search'), args, { groups: [0], main });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(labSeries(parseExposition(result.stdout))).toEqual(rootSeries);
  });

  test('with no capability at all: it starts, serves /metrics with success 0 and enter-denied in the log, and keeps running', async () => {
    let exporter: ExporterProcess | undefined;
    try {
      exporter = await startExporter(args, {}, { wrapper: setprivPrefix(user, []), main });
      const capabilities = (await execa('grep', ['^CapEff', `/proc/${exporter.child.pid}/status`])).stdout;
      expect(capabilities).toMatch(/CapEff:\s+0+$/);
      for (let scrape = 0; scrape < 3; scrape++) {
        const response = await fetch(`http://${exporter.address}/metrics`);
        expect(response.status).toBe(200);
        const success = successOf(parseExposition(await response.text()));
        // The held namespace is invisible without CAP_SYS_PTRACE; the named ones are reported as failing.
        expect(success).toEqual(
          Object.fromEntries(
            [router, plain].flatMap((ns) => [
              ...INSIDE.map((collector) => [`${ns}/${collector}`, 0]),
              [`${ns}/neutron_ha`, 1],
              [`${ns}/processes`, 0],
            ]),
          ),
        );
      }
      expect((await fetch(`http://${exporter.address}/healthz`)).status).toBe(200);
      expect(exporter.child.exitCode).toBeNull();
      const logs = exporter.logs();
      expect(logs).toMatch(/enter-denied/);
      expect(logs).toContain(JSON.stringify(router));
      expect(logs).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      const exitCode = await exporter?.stop();
      expect(exitCode).toBe(0);
    }
  });

  async function waitForOperstateUp(ns: string, dev: string): Promise<void> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      const { stdout } = await execa('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
      if ((JSON.parse(stdout) as { operstate?: string }[])[0]?.operstate === 'UP') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${dev} in ${ns} did not come up within 10 s`);
  }

  let parsedRoot: ParsedSeries[] | undefined;
  function rootParsed(): ParsedSeries[] {
    // successOf needs parsed series; rebuilt from the map of the root run
    parsedRoot ??= [...rootSeries].map(([key, value]) => {
      const name = key.slice(0, key.indexOf('['));
      const labels = Object.fromEntries(JSON.parse(key.slice(name.length)) as [string, string][]);
      return { name, labels, value };
    });
    return parsedRoot;
  }
});
