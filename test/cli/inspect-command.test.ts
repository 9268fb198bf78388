// `netns-exporter inspect` on real namespaces (root), the built binary, both backends: a router
// whose qg- port is down and whose gateway neighbour stays FAILED gets both verdicts and exit 1; a
// healthy one exits 0; an unknown or ambiguous router exits 2 with one line (and the candidates);
// a name from the labels file finds its router; and the rates are the kernel's own counters' change
// over the interval: the test sends known traffic between the two reads (after the first read's
// debug log line) and compares with `ip -s -j link` read before and after the whole run.
//
// The namespaces are quiet: IPv6 is off on the veths and every neighbour is permanent, so no ARP or
// router solicitation moves a counter besides the test's datagrams.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InspectReport } from '../../src/on-node/report.js';
import { createStandIns } from '../hardening/stand-in-tools.js';
import { builtMain } from '../support/built.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

const BACKENDS = ['native', 'exec'] as const;

interface LinkStats {
  readonly rx: { readonly bytes: number; readonly packets: number };
  readonly tx: { readonly bytes: number; readonly packets: number };
}

async function linkStats(ns: string, dev: string): Promise<LinkStats> {
  const { stdout } = await execa('ip', ['-n', ns, '-s', '-j', 'link', 'show', 'dev', dev]);
  const [link] = JSON.parse(stdout) as { stats64: LinkStats }[];
  if (link === undefined) throw new Error(`no link ${dev} in ${ns}`);
  return link.stats64;
}

async function macOf(ns: string, dev: string): Promise<string> {
  const { stdout } = await execa('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
  return (JSON.parse(stdout) as { address: string }[])[0]?.address ?? '';
}

describe.skipIf(skipUnlessRoot('inspect on real namespaces'))('netns-exporter inspect', () => {
  let lab: NetnsLab;
  let broken: string;
  let healthy: string;
  let healthyId: string;
  let external: string;
  let labelsFile: string;
  let only: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('inspect');
    broken = await lab.addNeutronNamespace('qrouter', 'b0b0b0b0-1111');
    healthy = await lab.addNeutronNamespace('qrouter', 'c0c0c0c0-2222');
    healthyId = healthy.slice('qrouter-'.length);
    external = await lab.addNamespace('ext');
    await lab.vethPair({ ns: broken, dev: 'qg-b0b0', cidr: '10.91.0.2/24' }, { ns: external, dev: 'ext-b', cidr: '10.91.0.1/24' });
    await lab.vethPair({ ns: healthy, dev: 'qg-c0c0', cidr: '10.92.0.2/24' }, { ns: external, dev: 'ext-c', cidr: '10.92.0.1/24' });
    // the broken router: its gateway port down, and its next hop a neighbour that never answered
    await execa('ip', ['-n', broken, 'link', 'set', 'dev', 'qg-b0b0', 'down']);
    await gatewayFails();
    // the healthy one: its gateway answers (a permanent entry both ways, so no ARP moves a counter)
    const gatewayMac = await macOf(external, 'ext-c');
    const routerMac = await macOf(healthy, 'qg-c0c0');
    await execa('ip', ['-n', healthy, 'neigh', 'replace', '10.92.0.1', 'dev', 'qg-c0c0', 'lladdr', gatewayMac, 'nud', 'permanent']);
    await execa('ip', ['-n', external, 'neigh', 'replace', '10.92.0.2', 'dev', 'ext-c', 'lladdr', routerMac, 'nud', 'permanent']);
    await lab.run(healthy, ['iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '9', '-j', 'DROP', '-m', 'comment', '--comment', 'discard']);
    await lab.run(healthy, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'qg-c0c0', '-j', 'SNAT', '--to-source', '10.92.0.2']);
    const dir = await mkdtemp(join(tmpdir(), 'nxt-inspect-'));
    lab.onCleanup(() => rm(dir, { recursive: true, force: true }));
    labelsFile = join(dir, 'labels.yaml');
    await writeFile(labelsFile, `${healthyId}: { project: demo, router_name: edge-${lab.prefix} }\n`);
    only = ['--no-netns.scan-processes', `--netns.include=${lab.prefix}`, `--netns.labels-file=${labelsFile}`];
  });

  afterAll(async () => {
    await lab?.cleanup();
  });

  // The kernel's neighbour GC removes a FAILED entry no route holds on its next pass (every 15 s or
  // so), so the entry is set again right before each run that needs it; within a run it stays.
  const gatewayFails = () => execa('ip', ['-n', broken, 'neigh', 'replace', '10.91.0.1', 'dev', 'qg-b0b0', 'nud', 'failed']);

  const inspect = (backend: string, ...args: string[]) =>
    execa('node', [builtMain, 'inspect', ...args, ...only, `--collector.backend=${backend}`], { reject: false });

  describe.each(BACKENDS)('%s backend', (backend) => {
    test('a router with its gateway port down and a FAILED next hop: both named, exit 1', async () => {
      await gatewayFails();
      const text = await inspect(backend, broken, '--interval=500ms');
      expect(text.exitCode, text.stderr).toBe(1);
      const lines = text.stdout.split('\n');
      // verdicts first: right after the header, before the interface table
      const verdicts = lines.slice(0, lines.indexOf('Interfaces'));
      expect(verdicts.some((line) => line.startsWith('CRITICAL gateway port qg-b0b0 is DOWN'))).toBe(true);
      expect(verdicts.some((line) => line.startsWith('CRITICAL gateway next hop on qg-b0b0 does not answer: 1 ipv4 FAILED'))).toBe(true);

      await gatewayFails();
      const json = await inspect(backend, broken, '--interval=500ms', '--output=json');
      expect(json.exitCode, json.stderr).toBe(1);
      const report = JSON.parse(json.stdout) as InspectReport;
      expect(report.format).toBe('netns-exporter/inspect/v1');
      expect(report.backend).toBe(backend);
      expect(report.verdicts.map((verdict) => [verdict.check, verdict.device, verdict.alert])).toEqual([
        ['gateway-down', 'qg-b0b0', 'NetnsRouterGatewayDown'],
        ['gateway-unreachable', 'qg-b0b0', 'NetnsRouterGatewayUnreachable'],
      ]);
      expect(report.interfaces.find((port) => port.device === 'qg-b0b0')?.operstate).toBe('DOWN');
      expect(report.neighbours).toContainEqual({ device: 'qg-b0b0', family: 'ipv4', state: 'failed', entries: 1, entriesBefore: 1 });
    });

    test('a healthy router: no verdict, exit 0', async () => {
      const text = await inspect(backend, healthy, '--interval=500ms');
      expect(text.exitCode, text.stdout + text.stderr).toBe(0);
      expect(text.stdout).toContain('OK: no verdict');
      expect(text.stdout).toContain('qg-c0c0: ipv4 permanent 1');
      expect(text.stdout).toContain(`router_name=edge-${lab.prefix}`);
      const json = JSON.parse((await inspect(backend, healthy, '--interval=500ms', '--output=json')).stdout) as InspectReport;
      expect(json.verdicts).toEqual([]);
      expect(json.namespace).toEqual({
        name: healthy,
        kind: 'qrouter',
        id: healthyId,
        labels: { project: 'demo', router_name: `edge-${lab.prefix}` },
      });
      expect(json.rules.nat.map((rule) => [rule.table, rule.chain, rule.position, rule.target])).toEqual([
        ['nat', 'POSTROUTING', 1, 'SNAT'],
      ]);
    });

    test('the router by id prefix and by its name in the labels file', async () => {
      for (const name of [healthyId.slice(0, healthyId.length - 3), `edge-${lab.prefix}`]) {
        const run = await inspect(backend, name, '--interval=200ms', '--output=json');
        expect(run.exitCode, run.stderr).toBe(0);
        expect((JSON.parse(run.stdout) as InspectReport).namespace.name).toBe(healthy);
      }
    });

    test('rates are the kernel counters’ change over the interval', async () => {
      const kernelBefore = await linkStats(healthy, 'qg-c0c0');
      const run = execa(
        'node',
        [builtMain, 'inspect', healthy, '--interval=3s', '--output=json', '--log.level=debug', ...only, `--collector.backend=${backend}`],
        { reject: false },
      );
      let stderr = '';
      const firstRead = new Promise<void>((resolve) => {
        run.stderr?.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('"msg":"scrape collected"')) resolve();
        });
      });
      await firstRead;
      // 40 datagrams of 100 bytes to the DROP rule, between the two reads
      await lab.sendUdp(external, '10.92.0.2', 9, 40, 100);
      const result = await run;
      const kernelAfter = await linkStats(healthy, 'qg-c0c0');
      expect(result.exitCode, stderr).toBe(0);
      expect(stderr.match(/"msg":"scrape collected"/g)).toHaveLength(2);
      const report = JSON.parse(result.stdout) as InspectReport;
      const port = report.interfaces.find((candidate) => candidate.device === 'qg-c0c0');
      expect(kernelAfter.rx.packets - kernelBefore.rx.packets).toBe(40);
      expect(port?.increase.receive_packets).toBe(kernelAfter.rx.packets - kernelBefore.rx.packets);
      expect(port?.increase.receive_bytes).toBe(kernelAfter.rx.bytes - kernelBefore.rx.bytes);
      expect(port?.increase.transmit_packets).toBe(kernelAfter.tx.packets - kernelBefore.tx.packets);
      expect(report.intervalSeconds).toBeGreaterThanOrEqual(3);
      expect(report.intervalSeconds).toBeLessThan(4);
      expect(port?.rate.receive_packets).toBeCloseTo(40 / report.intervalSeconds, 9);
      expect(port?.rate.receive_bytes).toBeCloseTo((kernelAfter.rx.bytes - kernelBefore.rx.bytes) / report.intervalSeconds, 9);
      const drop = { backend: 'nft', family: 'ipv4', table: 'filter', chain: 'INPUT', position: 1, target: 'DROP', comment: 'discard' };
      expect(report.rules.dropped).toEqual([expect.objectContaining({ ...drop, packets: 40, bytes: 40 * (100 + 8 + 20) })]);
      expect(report.rules.busiest[0]).toEqual(expect.objectContaining({ ...drop, packets: 40 }));
    });
  });

  test('a collector that fails is a verdict with its reason (exec backend, a crashing iptables-nft-save first on PATH)', async () => {
    const standIns = await createStandIns();
    lab.onCleanup(() => standIns.remove());
    await standIns.script('iptables-nft-save', 'echo "iptables-nft-save: stand-in crash" >&2; exit 3');
    const run = await execa(
      'node',
      [builtMain, 'inspect', healthy, '--interval=200ms', '--output=json', ...only, '--collector.backend=exec'],
      {
        reject: false,
        env: { PATH: standIns.path },
      },
    );
    expect(run.exitCode, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as InspectReport;
    expect(report.failures.map((failure) => failure.collector)).toEqual(['iptables']);
    expect(report.verdicts).toEqual([
      expect.objectContaining({
        check: 'collector-failed',
        alert: 'NetnsCollectionFailing',
        summary: expect.stringMatching(/^collector iptables failed: /),
      }),
    ]);
    // the other collectors still report
    expect(report.interfaces.map((port) => port.device)).toContain('qg-c0c0');
  });

  test('an unknown router: exit 2 and one line', async () => {
    const run = await inspect('native', `qrouter-${lab.prefix}nothing`, '--interval=200ms');
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^netns-exporter inspect: no namespace "qrouter-nxt-inspect-[0-9a-f]{6}-nothing" on this host/),
    ]);
  });

  test('an ambiguous prefix: exit 2, one line with the candidates', async () => {
    const run = await inspect('native', `qrouter-${lab.prefix}`, '--interval=200ms');
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `netns-exporter inspect: "qrouter-${lab.prefix}" is ambiguous: 2 namespaces start with it: ${broken}, ${healthy}`,
    );
  });

  test('bad input: no router, a bad interval, an unreadable thresholds file: exit 2', async () => {
    for (const args of [[], [healthy, '--interval=soon'], [healthy, '--alerts.config=/nonexistent/thresholds.yml']]) {
      const run = await inspect('native', ...args);
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  test('thresholds come from the alert configuration: a --alerts.config that moves them changes the verdict', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nxt-inspect-thresholds-'));
    lab.onCleanup(() => rm(dir, { recursive: true, force: true }));
    // conntrack: any entry at all is "nearly full" when the critical share is 0
    const thresholds = join(dir, 'thresholds.yml');
    await writeFile(thresholds, 'conntrack: { warningRatio: 0, criticalRatio: 0 }\ngatewayDown: { devices: "none-.*" }\n');
    await lab.run(healthy, ['bash', '-c', 'exec 3<>/dev/udp/10.92.0.1/7; echo x >&3']); // one conntrack entry
    const run = await inspect('native', healthy, '--interval=200ms', '--output=json', `--alerts.config=${thresholds}`);
    expect(run.exitCode, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as InspectReport;
    expect(report.verdicts.map((verdict) => verdict.check)).toEqual(['conntrack-full']);
    await gatewayFails();
    const brokenRun = await inspect('native', broken, '--interval=200ms', '--output=json', `--alerts.config=${thresholds}`);
    // gatewayDown no longer covers qg-: only the unreachable next hop is left
    expect((JSON.parse(brokenRun.stdout) as InspectReport).verdicts.map((verdict) => verdict.check)).toEqual(['gateway-unreachable']);
  });
});
