// The scrape bench of issue 4: N Neutron-like routers (router-fixture.ts), the real exporter binary
// with each backend, and per N the scrape wall time (median and max), the exporter's CPU seconds per
// scrape, its peak RSS, series and body size, the exec/native ratio from the same run, and the worst
// /healthz latency while a scrape of N runs. Prints a Markdown table on stdout (progress on stderr).
// Root only. Always removes its namespaces and stops its exporters, also on Ctrl-C and on errors.
//
//   bench/run.sh [--sizes=100,500,1000,2000] [--exec-sizes=100,500,1000] [--scrapes=10]
//                [--exec-scrapes=100:10,500:5,1000:3,2000:1] [--cpu-prof=DIR] [--json=FILE] [--identity]
//                [--node-options=...] [--baseline=OTHER/dist/cli/main.js] [--baseline-args='FLAGS ...']
//                [--rounds=2] [-- extra exporter flags]
//
// With --baseline, each size is scraped by the baseline build and by this one in turn, --rounds times
// (baseline, this, baseline, this, ...), on the same fleet: the ratios at the end compare builds
// measured side by side in one run, which is what a noisy shared machine allows. The flags after
// `--` go to both; --baseline-args (split at blanks) go to the baseline only, and without --baseline
// the baseline is this build: `--baseline-args='--no-collector.netstat ...'` compares this build with
// some collectors off against the same build with them on.
//
// The exporter runs with the NODE_OPTIONS its deploy files set (read from the systemd unit), so the
// numbers are those of the exporter as deployed; --node-options= (empty) runs it with none.

import { spawn } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, startExporter, statusBytes, type RunningExporter } from './exporter-process.js';
import { countSeries, scrape, type ScrapeResult } from './http-scrape.js';
import { createRouterFleet, type RouterFleet } from './router-fixture.js';

type Backend = 'native' | 'exec';

interface BenchOptions {
  readonly sizes: number[];
  readonly execSizes: number[];
  readonly scrapes: number;
  readonly execScrapes: Map<number, number>;
  readonly main: string;
  /** Another build's dist/cli/main.js to compare with, run in turn with this one. */
  readonly baseline: string | undefined;
  /** Exporter flags for the baseline only (after the shared ones). */
  readonly baselineArgs: string[];
  readonly rounds: number;
  readonly cpuProfDir: string | undefined;
  readonly json: string | undefined;
  readonly gzip: boolean;
  readonly nodeOptions: string;
  readonly exporterArgs: string[];
}

interface RunResult {
  /** 'this' build or the 'baseline' (--baseline). */
  readonly build: 'this' | 'baseline';
  readonly n: number;
  readonly backend: Backend;
  readonly scrapes: number;
  readonly medianSeconds: number;
  readonly maxSeconds: number;
  readonly wallSeconds: number[];
  readonly cpuOwnPerScrape: number;
  readonly cpuChildrenPerScrape: number;
  readonly peakRssBytes: number;
  readonly series: number;
  readonly bodyBytes: number;
  readonly wireBytes: number;
  readonly failedCollectors: number;
  readonly healthz?: { count: number; maxMs: number; p50Ms: number; p99Ms: number; scrapeSeconds: number };
  readonly problems: string[];
}

function parseOptions(argv: string[]): BenchOptions {
  const separator = argv.indexOf('--');
  const own = separator >= 0 ? argv.slice(0, separator) : argv;
  const value = (name: string): string | undefined => own.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (text: string): number[] => text.split(',').filter(Boolean).map(Number);
  const execScrapes = new Map<number, number>(
    (value('exec-scrapes') ?? '100:10,500:5,1000:3,2000:1').split(',').map((pair) => pair.split(':').map(Number) as [number, number]),
  );
  for (const arg of own) {
    if (!/^--(sizes|exec-sizes|scrapes|exec-scrapes|main|baseline|baseline-args|rounds|cpu-prof|json|node-options)=|^--identity$/.test(arg))
      throw new Error(`unknown option ${arg}`);
  }
  const main = resolve(value('main') ?? 'dist/cli/main.js');
  const baselineArgs = (value('baseline-args') ?? '').split(/\s+/).filter(Boolean);
  const baseline = value('baseline');
  return {
    sizes: list(value('sizes') ?? '100,500,1000,2000'),
    execSizes: list(value('exec-sizes') ?? '100,500,1000'),
    scrapes: Number(value('scrapes') ?? 10),
    execScrapes,
    main,
    baseline: baseline !== undefined ? resolve(baseline) : value('baseline-args') !== undefined ? main : undefined,
    baselineArgs,
    rounds: Number(value('rounds') ?? 2),
    cpuProfDir: value('cpu-prof'),
    json: value('json'),
    gzip: !own.includes('--identity'),
    nodeOptions: value('node-options') ?? deployedNodeOptions(),
    exporterArgs: separator >= 0 ? argv.slice(separator + 1) : [],
  };
}

/** NODE_OPTIONS as deploy/systemd/netns-exporter.service sets them (the Dockerfile sets the same; a test checks). */
function deployedNodeOptions(): string {
  const unit = readFileSync(resolve('deploy/systemd/netns-exporter.service'), 'utf8');
  const options = /^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1];
  if (options === undefined) throw new Error('deploy/systemd/netns-exporter.service sets no NODE_OPTIONS');
  return options;
}

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Checks a body covers exactly the fleet and every collector succeeded; returns failed collectors. */
function checkBody(body: Buffer, n: number): { series: number; failed: number } {
  const text = body.toString('utf8');
  const routers = text.match(/^netns_info\{[^}]*kind="qrouter"/gm)?.length ?? 0;
  if (routers !== n) throw new Error(`expected ${n} routers in the scrape, found ${routers}`);
  const failed = text.match(/^netns_collector_success\{.*\} 0$/gm)?.length ?? 0;
  return { series: countSeries(body), failed };
}

/** Worst /healthz latency from a separate process while one scrape runs. */
async function healthzDuringScrape(exporter: RunningExporter, gzip: boolean): Promise<NonNullable<RunResult['healthz']>> {
  const probe = spawn('node', [new URL('./healthz-probe.js', import.meta.url).pathname, String(exporter.port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  probe.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => probe.once('exit', () => resolveExit()));
  await new Promise((r) => setTimeout(r, 300)); // the probe is up and its connection open
  const result = await scrape(exporter.port, '/metrics', gzip);
  probe.stdin.end();
  await exited;
  const stats = JSON.parse(output) as Omit<NonNullable<RunResult['healthz']>, 'scrapeSeconds'>;
  return { ...stats, scrapeSeconds: result.seconds };
}

async function runBackend(
  options: BenchOptions,
  fleet: RouterFleet,
  backend: Backend,
  scrapes: number,
  build: RunResult['build'] = 'this',
  round = 0,
): Promise<RunResult> {
  const n = fleet.size;
  const profileName = options.baseline === undefined ? `native-${n}` : `native-${n}-${build}-${round + 1}`;
  const nodeFlags =
    options.cpuProfDir && backend === 'native'
      ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`, `--cpu-prof-name=${profileName}.cpuprofile`]
      : [];
  const exporter = await startExporter({
    main: build === 'baseline' ? (options.baseline as string) : options.main,
    args: [
      `--collector.backend=${backend}`,
      `--netns.include=${fleet.includeRegex}`,
      ...options.exporterArgs,
      ...(build === 'baseline' ? options.baselineArgs : []),
    ],
    nodeFlags,
    nodeOptions: options.nodeOptions,
  });
  running.add(exporter);
  try {
    // One warm-up scrape (JIT, first allocations), checked, not counted.
    const warmUp = await scrape(exporter.port, '/metrics', options.gzip);
    if (warmUp.status !== 200) throw new Error(`${backend} warm-up scrape answered ${warmUp.status}`);
    const { series, failed } = checkBody(warmUp.body, n);
    log(`${backend} N=${n}: warm-up ${warmUp.seconds.toFixed(2)} s, ${series} series, ${failed} failed collectors`);

    const wallSeconds: number[] = [];
    const cpuOwn: number[] = [];
    const cpuChildren: number[] = [];
    let last: ScrapeResult = warmUp;
    for (let i = 0; i < scrapes; i++) {
      const before = cpuSeconds(exporter.pid);
      last = await scrape(exporter.port, '/metrics', options.gzip);
      const after = cpuSeconds(exporter.pid);
      if (last.status !== 200) throw new Error(`${backend} scrape answered ${last.status}`);
      wallSeconds.push(last.seconds);
      cpuOwn.push(after.own - before.own);
      cpuChildren.push(after.children - before.children);
    }
    log(`${backend} N=${n}: ${scrapes} scrapes, median ${median(wallSeconds).toFixed(3)} s`);

    const healthz = backend === 'native' ? await healthzDuringScrape(exporter, options.gzip) : undefined;
    if (healthz)
      log(
        `${backend} N=${n}: /healthz max ${healthz.maxMs.toFixed(1)} ms over ${healthz.count} requests during a ${healthz.scrapeSeconds.toFixed(2)} s scrape`,
      );
    return {
      build,
      n,
      backend,
      scrapes,
      medianSeconds: median(wallSeconds),
      maxSeconds: Math.max(...wallSeconds),
      wallSeconds,
      cpuOwnPerScrape: median(cpuOwn),
      cpuChildrenPerScrape: median(cpuChildren),
      peakRssBytes: statusBytes(exporter.pid, 'VmHWM'),
      series,
      bodyBytes: last.body.length,
      wireBytes: last.wireBytes,
      failedCollectors: failed,
      ...(healthz ? { healthz } : {}),
      problems: [...exporter.problems],
    };
  } finally {
    await exporter.stop();
    running.delete(exporter);
  }
}

function machineDescription(): string[] {
  const [one, five, fifteen] = loadavg();
  return [
    `- CPUs: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    `- kernel ${release()}, node ${process.version}`,
    `- load average at start: ${one?.toFixed(2)} ${five?.toFixed(2)} ${fifteen?.toFixed(2)}`,
  ];
}

function table(results: readonly RunResult[]): string {
  const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  const rows = [
    '| N | build | backend | scrapes | median s | max s | CPU s/scrape (exporter) | CPU s/scrape (children) | peak RSS MB | series | body MB (gzip MB) | /healthz max ms during scrape | exec/native (median) |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const native = results.find((other) => other.n === r.n && other.backend === 'native' && other.build === r.build);
    const ratio = r.backend === 'exec' && native ? `${(r.medianSeconds / native.medianSeconds).toFixed(1)}x` : '';
    rows.push(
      `| ${r.n} | ${r.build} | ${r.backend} | ${r.scrapes} | ${r.medianSeconds.toFixed(3)} | ${r.maxSeconds.toFixed(3)} | ${r.cpuOwnPerScrape.toFixed(2)} | ${r.cpuChildrenPerScrape.toFixed(2)} | ${mb(r.peakRssBytes)} | ${r.series} | ${mb(r.bodyBytes)} (${mb(r.wireBytes)}) | ${r.healthz ? r.healthz.maxMs.toFixed(1) : ''} | ${ratio} |`,
    );
  }
  return rows.join('\n');
}

/** Per size: this build against the baseline, medians over the rounds of each. */
function comparisonLines(results: readonly RunResult[]): string[] {
  const lines: string[] = [];
  for (const n of [...new Set(results.map((r) => r.n))]) {
    const of = (build: RunResult['build']) => results.filter((r) => r.n === n && r.backend === 'native' && r.build === build);
    const [mine, base] = [of('this'), of('baseline')];
    if (mine.length === 0 || base.length === 0) continue;
    const ratio = (pick: (r: RunResult) => number): string => (median(mine.map(pick)) / median(base.map(pick))).toFixed(3);
    lines.push(
      `- N=${n}, this build / baseline (medians of ${mine.length} and ${base.length} alternating runs): ` +
        `CPU per scrape ${ratio((r) => r.cpuOwnPerScrape)}, peak RSS ${ratio((r) => r.peakRssBytes)}, median scrape ${ratio((r) => r.medianSeconds)}, series ${ratio((r) => r.series)}`,
    );
  }
  return lines;
}

function growthLines(results: readonly RunResult[]): string[] {
  const native = (n: number): RunResult | undefined => results.find((r) => r.backend === 'native' && r.n === n && r.build === 'this');
  const lines: string[] = [];
  const [n1000, n2000] = [native(1000), native(2000)];
  if (n1000 && n2000) lines.push(`- native 2,000 / 1,000 (median): ${(n2000.medianSeconds / n1000.medianSeconds).toFixed(2)}x`);
  for (const r of results) {
    if (r.failedCollectors > 0) lines.push(`- ${r.backend} N=${r.n}: ${r.failedCollectors} netns_collector_success 0 series`);
  }
  // The same message from every run and scrape (a discovery problem of this machine, say) once.
  const messages = new Map<string, string[]>();
  for (const r of results) {
    for (const line of r.problems) {
      const message = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line;
      const detail = /"err":"([^"]*)"/.exec(line)?.[1];
      const key = detail ? `${message}: ${detail}` : message;
      const runs = messages.get(key) ?? [];
      if (!runs.includes(`${r.backend} N=${r.n}`)) runs.push(`${r.backend} N=${r.n}`);
      messages.set(key, runs);
    }
  }
  for (const [message, runs] of messages) lines.push(`- exporter warned "${message}" (${runs.join(', ')})`);
  return lines;
}

const running = new Set<RunningExporter>();
let fleet: RouterFleet | undefined;

function emergencyCleanup(): void {
  for (const exporter of running) exporter.killNow();
  fleet?.destroy();
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench creates network namespaces: run it as root');
  const options = parseOptions(process.argv.slice(2));
  if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true });
  const header = machineDescription();
  const started = performance.now();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log(`${signal}: cleaning up`);
      emergencyCleanup();
      process.exit(130);
    });
  }

  const results: RunResult[] = [];
  try {
    fleet = await createRouterFleet();
    log(`fleet prefix ${fleet.prefix}`);
    for (const n of [...options.sizes].sort((a, b) => a - b)) {
      const growStarted = performance.now();
      await fleet.grow(n, (done) => {
        if (done % 250 === 0) log(`  configured ${done} new routers`);
      });
      log(`N=${n}: fleet ready in ${((performance.now() - growStarted) / 1000).toFixed(1)} s`);
      if (options.baseline === undefined) {
        results.push(await runBackend(options, fleet, 'native', options.scrapes));
      } else {
        for (let round = 0; round < options.rounds; round++) {
          results.push(await runBackend(options, fleet, 'native', options.scrapes, 'baseline', round));
          results.push(await runBackend(options, fleet, 'native', options.scrapes, 'this', round));
        }
      }
      if (options.execSizes.includes(n)) {
        const scrapes = options.execScrapes.get(n) ?? options.scrapes;
        results.push(await runBackend(options, fleet, 'exec', scrapes));
      }
    }
  } finally {
    emergencyCleanup();
  }

  const report = [
    `Machine (shared, noisy):`,
    ...header,
    `- bench wall time ${((performance.now() - started) / 60_000).toFixed(1)} min; scrapes ${options.gzip ? 'with' : 'without'} Accept-Encoding: gzip; exporter flags: ${['--collector.backend=<b>', '--netns.include=<prefix>', ...options.exporterArgs].join(' ')}${options.baseline === undefined ? '' : `; baseline ${options.baseline === options.main ? 'this build' : options.baseline}${options.baselineArgs.length > 0 ? ` with ${options.baselineArgs.join(' ')}` : ''}`}; NODE_OPTIONS: ${options.nodeOptions || '(none)'}`,
    '',
    table(results),
    '',
    ...growthLines(results),
    ...comparisonLines(results),
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (options.json) writeFileSync(options.json, JSON.stringify({ machine: header, results }, null, 2));
}

main().catch((error: unknown) => {
  emergencyCleanup();
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
