// What the processes collector costs: N bench routers, each with the processes of an HA router that
// is primary here (haproxy, two keepalived, neutron-keepalived-state-change: copies of sleep, so
// that comm and the command line are as /proc shows those services), then
//  1. discovery in this process, alternating without and with process lists (CPU per walk), and
//  2. the built exporter, two instances on one fleet, --no-collector.processes and the default,
//     scraped alternately (CPU per scrape from /proc/<pid>/stat, peak RSS).
//
//   npm run build && flock /work/bench.lock env BENCH=processes-cost bench/run.sh 1000 [rounds]

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverNamespaces } from '../src/discovery/discover-namespaces.js';
import { cpuSeconds, startExporter, statusBytes } from './exporter-process.js';
import { createRouterFleet } from './router-fixture.js';

const count = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 10);
const WARM_UP = 2;
const SERVICES = ['haproxy', 'keepalived', 'keepalived', 'neutron-keepalived-state-change'];
const main = resolve('dist/cli/main.js'); // bench/run.sh runs from the repository's root

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const fleet = await createRouterFleet();
const bin = mkdtempSync(join(tmpdir(), 'nxt-bench-procs-'));
const children: ChildProcess[] = [];
const cleanUp = (): void => {
  for (const child of children) child.kill('SIGKILL');
  fleet.destroy();
  rmSync(bin, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUp();
    process.exit(1);
  });
}

try {
  await fleet.grow(count);
  for (const name of new Set(SERVICES)) copyFileSync('/usr/bin/sleep', join(bin, name));
  const routers = Array.from({ length: count }, (_, i) => `qrouter-${fleet.prefix}${i.toString(16).padStart(5, '0')}`);
  for (const [i, router] of routers.entries()) {
    for (const service of SERVICES) {
      const child = spawn('ip', ['netns', 'exec', router, join(bin, service), '86400'], { stdio: 'ignore' });
      children.push(child);
    }
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 500)); // let the spawns settle
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));

  const options = { netnsDirs: ['/run/netns'], scanProcesses: true, includeHost: false };
  const walk: Record<'without' | 'with', number[]> = { without: [], with: [] };
  let listed = 0;
  for (let round = 0; round < WARM_UP + rounds; round++) {
    for (const mode of ['without', 'with'] as const) {
      const before = process.cpuUsage();
      const result = await discoverNamespaces({ ...options, listProcesses: mode === 'with' });
      const used = process.cpuUsage(before);
      if (round >= WARM_UP) walk[mode].push((used.user + used.system) / 1000);
      if (mode === 'with')
        listed = result.namespaces.reduce((sum, ns) => sum + (ns.name.includes(fleet.prefix) ? (ns.processes?.length ?? 0) : 0), 0);
    }
  }
  console.log(`${count} routers, ${listed} processes listed in them`);
  console.log(`discovery CPU ms per walk (median): without lists ${median(walk.without).toFixed(1)}, with ${median(walk.with).toFixed(1)}`);

  const args = [`--netns.include=${fleet.includeRegex}`];
  const off = await startExporter({ main, args: [...args, '--no-collector.processes'] });
  const on = await startExporter({ main, args });
  const scrape: Record<'off' | 'on', number[]> = { off: [], on: [] };
  try {
    for (let round = 0; round < WARM_UP + rounds; round++) {
      for (const [mode, exporter] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const before = cpuSeconds(exporter.pid).own;
        const body = await (await fetch(`http://127.0.0.1:${exporter.port}/metrics`)).text();
        if (round >= WARM_UP) scrape[mode].push(cpuSeconds(exporter.pid).own - before);
        if (round === 0)
          console.log(`${mode}: ${body.split('\n').filter((line) => line.startsWith('netns_processes{')).length} netns_processes series`);
      }
    }
    const [offCpu, onCpu] = [median(scrape.off), median(scrape.on)];
    console.log(
      `exporter CPU s per scrape (median of ${rounds}): --no-collector.processes ${offCpu.toFixed(3)}, default ${onCpu.toFixed(3)}, ratio ${(onCpu / offCpu).toFixed(3)}`,
    );
    console.log(
      `peak RSS MB: --no-collector.processes ${(statusBytes(off.pid, 'VmHWM') / 2 ** 20).toFixed(0)}, default ${(statusBytes(on.pid, 'VmHWM') / 2 ** 20).toFixed(0)}`,
    );
  } finally {
    await Promise.all([off.stop(), on.stop()]);
  }
} finally {
  cleanUp();
}
