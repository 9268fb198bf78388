// Ground truth for the tc collector (root): a lab router with Neutron-style traffic control
// (test/support/tc-lab.ts: htb + bfifo on qg-, an ingress qdisc with u32 filters whose mirred actions
// count; a tbf on the peer) after real traffic, scraped by the built exporter with each backend and
// compared series by series with `tc -s -j` read just before and just after the scrape (the
// namespaces are quiet by then, so both readings must be equal). The kernel's JSON is read here
// with JSON.parse, not with the exporter's parser. Also: a namespace without qdiscs reports nothing
// and succeeds; exec without `tc` on the tools' PATH is one collector failure, not a failed scrape.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtMain } from '../support/built.js';
import { parseExposition, type ParsedSeries } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { buildTcRouter, ingressMirredFilter } from '../support/tc-lab.js';

const HOSTILE = 'q"r\\😀';
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Json = Record<string, unknown>;

/** What the kernel says, as series keys "name{labels} value" the exporter should print. */
async function kernelSeries(ns: string): Promise<string[]> {
  const run = async (args: string[]) => (await execa('ip', ['netns', 'exec', ns, 'tc', '-s', '-j', ...args])).stdout;
  const qdiscs = JSON.parse(await run(['qdisc', 'show'])) as Json[];
  const out: string[] = [];
  for (const q of qdiscs) {
    if (q.kind === 'noqueue') continue; // never counts; the collector leaves it out
    const labels = { netns: ns, device: q.dev, kind: q.kind, handle: q.handle, parent: q.root === true ? 'root' : (q.parent ?? '') };
    const l = labelText(labels);
    for (const [name, key] of [
      ['bytes_total', 'bytes'],
      ['packets_total', 'packets'],
      ['drops_total', 'drops'],
      ['requeues_total', 'requeues'],
      ['overlimits_total', 'overlimits'],
      ['backlog', 'backlog'],
      ['current_queue_length', 'qlen'],
    ] as const) {
      out.push(`netns_qdisc_${name}{${l}} ${String(q[key])}`);
    }
    if (q.kind !== 'ingress' && q.kind !== 'clsact') continue;
    const filters = JSON.parse(await run(['filter', 'show', 'dev', String(q.dev), 'ingress'])) as Json[];
    for (const f of filters) {
      const options = f.options as Json | undefined;
      for (const a of (options?.actions ?? []) as Json[]) {
        const stats = a.stats as Json;
        const al = labelText({
          netns: ns,
          device: q.dev,
          parent: f.parent,
          pref: String(f.pref),
          kind: f.kind,
          handle: f.kind === 'u32' ? options?.fh : options?.handle,
          action: a.kind,
          order: String(a.order),
        });
        for (const key of ['packets', 'drops', 'overlimits']) out.push(`netns_tc_action_${key}_total{${al}} ${String(stats[key])}`);
      }
    }
  }
  return out.sort();
}

function labelText(labels: Record<string, unknown>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(String(v))}`)
    .join(',');
}

const key = (s: ParsedSeries) => `${s.name}{${labelText(s.labels)}} ${s.value}`;

describe.skipIf(skipUnlessRoot('tc counters against the kernel'))('tc collector == tc -s -j, both backends', () => {
  let lab: NetnsLab;
  let router: string;
  let peer: string;
  let fresh: string;
  let hostile: string;
  let include: string;

  beforeAll(async () => {
    lab = await createNetnsLab('tck');
    ({ router, peer } = await buildTcRouter(lab, '10.83'));
    fresh = await lab.addNamespace('fresh');
    // device names tc must carry through JSON, its text output and the script's word splitting
    hostile = await lab.addNamespace('hostile');
    const h = (args: string[]) => lab.run(hostile, args);
    // IPv6 off before the links exist: no router solicitation or MLD report moves a counter
    await h(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await h(['ip', 'link', 'add', HOSTILE, 'type', 'veth', 'peer', 'name', 'x*y']);
    await h(['ip', 'link', 'add', 'down-1', 'type', 'veth', 'peer', 'name', 'down-2']);
    await h(['ip', 'link', 'set', HOSTILE, 'up']);
    await h(['ip', 'link', 'set', 'x*y', 'up']);
    await h(['tc', 'qdisc', 'add', 'dev', HOSTILE, 'ingress']);
    await h(['tc', 'qdisc', 'add', 'dev', 'x*y', 'root', 'tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '400ms']);
    // to a device that is down: nothing loops back
    await h(ingressMirredFilter(HOSTILE, 'all', undefined, ['u32', '0', '0'], [['redirect', 'down-1']]));
    include = escapeRegex(lab.prefix);
    await lab.sendUdp(peer, '10.83.0.1', 9, 6); // matched by pref 5: mirrored
    await lab.sendUdp(peer, '10.83.0.1', 7, 4); // pref 7: redirected to a device that is down (overlimits, ingress drops)
    await lab.sendUdp(peer, '10.83.0.1', 6, 3); // pref 6: two actions
    await lab.run(router, ['bash', '-c', 'for i in 1 2 3 4 5; do echo hello > /dev/udp/10.83.0.2/9; done']); // htb, bfifo
    // more than the peer's tbf holds (latency 400 ms at 1 mbit plus its burst, about 54 KB): it drops
    await lab.sendUdp(peer, '10.83.0.1', 5, 80, 1400);
    // quiet before comparing: the tbf drains in about half a second, nothing is sent from here on
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }, 60_000);

  afterAll(async () => {
    await lab?.cleanup();
  });

  async function scrape(backend: 'exec' | 'native', env?: Record<string, string>): Promise<ParsedSeries[]> {
    const { stdout } = await execa(
      process.execPath,
      [builtMain, '--once', `--collector.backend=${backend}`, '--collector.tc', `--netns.include=${include}`],
      {
        env,
        extendEnv: env === undefined,
      },
    );
    return parseExposition(stdout);
  }

  for (const backend of ['native', 'exec'] as const) {
    test(`${backend}: every qdisc and filter action as the kernel counts it`, async () => {
      const kernel = async () => [...(await kernelSeries(router)), ...(await kernelSeries(peer)), ...(await kernelSeries(hostile))].sort();
      const before = await kernel();
      const series = await scrape(backend);
      const after = await kernel();
      expect(after).toEqual(before); // quiet: nothing moved while the exporter read
      const ours = series
        .filter((s) => /^netns_(qdisc|tc_action)_/.test(s.name))
        .map(key)
        .sort();
      expect(ours).toEqual(before);
      // the traffic really moved what the test is about
      expect(before).toContainEqual(expect.stringMatching(/^netns_qdisc_drops_total\{.*kind="tbf".*\} [1-9]/));
      expect(before).toContainEqual(expect.stringMatching(/^netns_qdisc_drops_total\{.*kind="ingress".*\} 7$/));
      expect(before).toContainEqual(expect.stringMatching(/^netns_tc_action_overlimits_total\{.*pref="7".*\} 4$/));
      expect(before).toContainEqual(expect.stringMatching(/^netns_qdisc_packets_total\{.*kind="bfifo".*\} [1-9]/));
      expect(ours).toContainEqual(expect.stringMatching(/^netns_tc_action_packets_total\{.*device="q\\"r\\\\😀".*\} 0$/));
      expect(ours).toContainEqual(expect.stringMatching(/^netns_qdisc_packets_total\{.*device="x\*y".*kind="tbf"/));
      for (const ns of [router, peer, fresh]) {
        expect(
          series.find((s) => s.name === 'netns_collector_success' && s.labels.netns === ns && s.labels.collector === 'tc')?.value,
        ).toBe(1);
      }
      // no qdisc listed (lo down): no series, and success
      expect(series.filter((s) => /^netns_(qdisc|tc_action)_/.test(s.name) && s.labels.netns === fresh)).toEqual([]);
    }, 60_000);
  }

  test('exec without tc on the tools PATH: the tc collector fails, the scrape does not', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'nxt-tck-bin-'));
    lab.onCleanup(() => rmSync(bin, { recursive: true, force: true }));
    for (const tool of ['nsenter', 'timeout', 'cat', 'sh', 'ip']) {
      const { stdout } = await execa('sh', ['-c', 'command -v "$1"', 'sh', tool]);
      symlinkSync(stdout.trim(), join(bin, tool));
    }
    const series = await scrape('exec', { PATH: bin });
    const success = (ns: string, collector: string) =>
      series.find((s) => s.name === 'netns_collector_success' && s.labels.netns === ns && s.labels.collector === collector)?.value;
    for (const ns of [router, peer, fresh]) {
      expect(success(ns, 'tc')).toBe(0);
      expect(success(ns, 'interfaces')).toBe(1);
    }
    expect(series.filter((s) => /^netns_(qdisc|tc_action)_/.test(s.name))).toEqual([]);
  }, 60_000);
});
