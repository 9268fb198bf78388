// Namespace churn: while a background loop creates and deletes namespaces (so some are deleted while
// the exporter reads them), 500 scrapes in a row of the real binary must all answer, never report a
// namespace twice or one deleted before the scrape began, and the process must not grow.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select, valueOf } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { resourceUsage, type ResourceUsage } from './process-tree.js';

const SCRAPES = 500;
// Namespaces the loop keeps alive besides the stable one: few, so 500 scrapes fit the time budget
// (each namespace costs the exec backend a handful of processes per scrape).
const CHURNING = 2;
// A pause between churn steps, so creating and destroying namespaces (costly in the kernel) leaves
// the exporter CPU on two cores; the loop still makes several namespaces a second.
const CHURN_PAUSE_MS = 20;
const WARM_UP = 100;
const WINDOW = 100;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

interface ScrapeRecord {
  readonly startedAt: number;
  readonly status: number;
  readonly names: string[];
  readonly vanished: number;
  readonly stableComplete: boolean;
  readonly usage: ResourceUsage;
}

describe.skipIf(skipUnlessRoot('namespace churn test'))('namespace churn', () => {
  let lab: NetnsLab;
  let exporter: ExporterProcess | undefined;
  let stable: string;

  beforeAll(async () => {
    lab = await createNetnsLab('churn');
    stable = await lab.addNamespace('stable');
    await lab.run(stable, ['ip', 'link', 'set', 'lo', 'up']);
    // Interfaces only, and named namespaces only: what churn tests is discovery and reading namespaces
    // that vanish, and each iptables tool would add processes per namespace per scrape without
    // changing that (slow and broken tools have their own test). --netns.include keeps others' out.
    exporter = await startExporter([
      `--netns.include=^${escapeRegex(lab.prefix)}`,
      '--no-netns.scan-processes',
      '--no-collector.iptables',
      '--no-collector.conntrack',
      '--collector.timeout=2s',
    ]);
  });
  afterAll(async () => {
    await exporter?.stop();
    await lab?.cleanup();
  });

  // About 40 s on an idle 2-core machine; the timeout leaves room for a machine busy with other work.
  test(`${SCRAPES} scrapes while namespaces come and go`, { timeout: 150_000 }, async () => {
    const running = exporter as ExporterProcess;
    const pid = running.child.pid as number;
    // performance.now() when `ip netns delete` returned: from then on no scrape may list the name.
    const deletedAt = new Map<string, number>();
    let created = 0;
    let stopChurn = false;
    const churn = (async () => {
      const alive: string[] = [];
      while (!stopChurn) {
        alive.push(await lab.addNamespace(`c${created++}`));
        if (alive.length > CHURNING) {
          const victim = alive.shift() as string;
          await lab.deleteNamespace(victim);
          deletedAt.set(victim, performance.now());
        }
        await new Promise((resolve) => setTimeout(resolve, CHURN_PAUSE_MS));
      }
    })();

    const records: ScrapeRecord[] = [];
    const started = performance.now();
    try {
      for (let i = 0; i < SCRAPES; i++) {
        const startedAt = performance.now();
        const response = await fetch(`http://${running.address}/metrics`);
        const body = await response.text();
        const series = parseExposition(body);
        const names = select(series, 'netns_info').map((s) => s.labels.netns as string);
        const stableComplete =
          select(series, 'netns_collector_success', { netns: stable, collector: 'interfaces' })[0]?.value === 1 &&
          select(series, 'netns_network_up', { netns: stable, device: 'lo' })[0]?.value === 1;
        records.push({
          startedAt,
          status: response.status,
          names,
          vanished: valueOf(series, 'netns_scrape_vanished_namespaces', {}),
          stableComplete,
          usage: resourceUsage(pid),
        });
      }
    } finally {
      stopChurn = true;
      await churn;
    }
    const seconds = (performance.now() - started) / 1000;

    expect(records.filter((r) => r.status !== 200)).toEqual([]);
    for (const [index, record] of records.entries()) {
      expect(new Set(record.names).size, `scrape ${index} lists a namespace twice`).toBe(record.names.length);
      const stale = record.names.filter((name) => (deletedAt.get(name) ?? Infinity) < record.startedAt);
      expect(stale, `scrape ${index} lists namespaces deleted before it started`).toEqual([]);
      expect(record.stableComplete, `scrape ${index}: the stable namespace is incomplete`).toBe(true);
    }
    // The churn really overlapped the scrapes: namespaces were deleted, and some between discovery and read.
    expect(deletedAt.size).toBeGreaterThan(SCRAPES / 5);
    const racedScrapes = records.filter((r) => r.vanished > 0).length;

    const window = records.slice(WARM_UP, WARM_UP + WINDOW).map((r) => r.usage);
    const end = records.slice(-WINDOW).map((r) => r.usage);
    const summary = (usages: ResourceUsage[]) => ({
      rssMiB: median(usages.map((u) => u.rssKiB)) / 1024,
      fds: median(usages.map((u) => u.fds)),
      maxFds: Math.max(...usages.map((u) => u.fds)),
      threads: Math.max(...usages.map((u) => u.threads)),
    });
    const before = summary(window);
    const after = summary(end);
    console.log(
      `churn: ${SCRAPES} scrapes in ${seconds.toFixed(1)} s, ${created} namespaces created, ${deletedAt.size} deleted, ` +
        `${racedScrapes} scrapes saw a namespace vanish mid-read; ` +
        `after warm-up ${JSON.stringify(before)}, at the end ${JSON.stringify(after)}`,
    );
    // Descriptors and threads are counted, not estimated: the median number of open descriptors between
    // scrapes may differ by a pipe or two still being closed, threads (libuv pool, V8 workers) not at all.
    expect(after.fds).toBeLessThanOrEqual(before.fds + 2);
    expect(after.threads).toBeLessThanOrEqual(before.threads);
    // RSS moves with V8's garbage collection by a few MiB; 16 MiB over 300 scrapes would be a leak of
    // 50+ KiB per scrape, about a whole scrape body kept each time.
    expect(after.rssMiB).toBeLessThanOrEqual(before.rssMiB + 16);
  });
});
