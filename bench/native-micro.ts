// Micro-measurement of the native reader against spawning per namespace (not the full bench of
// issue 4: no exporter, no exposition). Creates N namespaces with a few iptables-nft rules each, then
// times, over several rounds:
//   native   net-dev + links + iptables-nft-ipv4 for all N (2 threads), raw bytes only, then with parsing
//   nsenter  `nsenter --net=<path> cat /proc/net/dev` per namespace, 2 at a time (the machine's cores)
//   exec     the exec backend's reader for the same three requests, 2 namespaces at a time
// Root only. Removes its namespaces at the end, also on failure.
//
//   npx tsc -p tsconfig.json --outDir node_modules/.cache/bench; node node_modules/.cache/bench/bench/native-micro.js [N] [repo root]
// (compiled under node_modules so that it resolves the project's packages)

import { execFile, execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { NetnsRef } from '../src/model/netns-ref.js';
import { parseNftablesRuleset } from '../src/parsers/netlink/nftables-ruleset.js';
import { parseRtnetlinkLinkTable } from '../src/parsers/netlink/rtnetlink-links.js';
import { createExecReader } from '../src/readers/exec/exec-reader.js';
import { loadNativeAddon } from '../src/readers/native/load-addon.js';
import { createNativeReader } from '../src/readers/native/native-reader.js';
import { iptablesNftIpv4Source } from '../src/sources/iptables-nft.js';
import { linksSource } from '../src/sources/links.js';
import { netDevSource } from '../src/sources/net-dev.js';
import { createNetnsLab } from '../test/support/netns-lab.js';

const count = Number(process.argv[2] ?? 200);
const root = process.argv[3] ?? process.cwd();
const rounds = 5;
const execFileAsync = promisify(execFile);

const RULES = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:neutron-l3-agent-INPUT - [0:0]
-A INPUT -j neutron-l3-agent-INPUT
-A neutron-l3-agent-INPUT -p udp --dport 9697 -m comment --comment "metadata proxy" -j ACCEPT
-A neutron-l3-agent-INPUT -s 10.0.0.0/8 -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.1.0.0/24 -j SNAT --to-source 192.0.2.1
COMMIT
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function mapLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const load = loadNativeAddon(join(root, 'native/build/Release/netns_reader.node'));
if (!load.ok) throw new Error(load.reason);
const lab = await createNetnsLab('micro');
const reader = createNativeReader({ threads: 2, timeoutMs: 10_000, addon: load.addon });
try {
  const refs: NetnsRef[] = [];
  const names = await lab.addNamespaces(Array.from({ length: count }, (_, i) => `b${i}`));
  for (const name of names) {
    execFileSync('ip', ['netns', 'exec', name, 'iptables-nft-restore'], { input: RULES });
    const { dev, ino } = statSync(`/run/netns/${name}`);
    refs.push({ name, path: `/run/netns/${name}`, dev, inode: ino, kind: 'qrouter', id: '', source: 'named' });
  }
  const requests = [netDevSource, linksSource, iptablesNftIpv4Source];
  const native: number[] = [];
  const nativeParsed: number[] = [];
  const nsenter: number[] = [];
  const exec: number[] = [];
  const execReader = createExecReader({ timeoutMs: 10_000 });
  for (let round = 0; round < rounds; round++) {
    let start = performance.now();
    await Promise.all(refs.map((ns) => reader.read(ns, requests)));
    native.push(performance.now() - start);

    start = performance.now();
    const all = await Promise.all(refs.map((ns) => reader.read(ns, requests)));
    for (const readings of all) {
      const links = readings.get(linksSource);
      const nft = readings.get(iptablesNftIpv4Source);
      if (!links?.ok || !nft?.ok) throw new Error('native read failed');
      if (!parseRtnetlinkLinkTable(links.data).ok || !parseNftablesRuleset(nft.data).ok) throw new Error('parse failed');
      readings.get(netDevSource);
    }
    nativeParsed.push(performance.now() - start);

    start = performance.now();
    await mapLimited(refs, 2, async (ns) => {
      await execFileAsync('nsenter', [`--net=${ns.path}`, 'cat', '/proc/net/dev']);
    });
    nsenter.push(performance.now() - start);

    start = performance.now();
    await mapLimited(refs, 2, async (ns) => {
      const readings = await execReader.read(ns, requests);
      const failed = [...readings].filter(([, reading]) => !reading.ok);
      if (failed.length > 0) throw new Error(`exec read failed: ${JSON.stringify(failed)}`);
    });
    exec.push(performance.now() - start);
  }
  await execReader.close();
  const line = (label: string, values: number[]): string =>
    `${label.padEnd(44)} median ${median(values).toFixed(1).padStart(7)} ms  (${(median(values) / count).toFixed(3)} ms/ns; rounds ${values.map((v) => v.toFixed(0)).join(' ')})`;
  console.log(`N=${count} namespaces, ${rounds} rounds, node ${process.version}`);
  console.log(line('native net-dev+links+nft-ipv4 (bytes)', native));
  console.log(line('native net-dev+links+nft-ipv4 (+ parse)', nativeParsed));
  console.log(line('nsenter cat /proc/net/dev (2 at a time)', nsenter));
  console.log(line('exec reader net-dev+links+nft-ipv4 (bytes)', exec));
  console.log(`ratio exec / native, same three requests, bytes only: ${(median(exec) / median(native)).toFixed(1)}x`);
  console.log(`ratio nsenter(net-dev only) / native(all three, parsed): ${(median(nsenter) / median(nativeParsed)).toFixed(1)}x`);
} finally {
  await reader.close();
  await lab.cleanup();
}
