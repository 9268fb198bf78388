// 2,000 scrapes of a running exporter (native backend) over a few Neutron-like routers must leave it
// as they found it: resident memory, open descriptors and threads flat after a warm-up, and every
// thread back in the exporter's own network namespace whenever no scrape runs (a native worker that
// stayed in a router's namespace would read the wrong namespace next and keep it alive).
//
// Tolerances, checked at every 50th scrape after the first 400 (warm-up: JIT, libuv's pool, V8's
// heap sizing; the resident size was seen to step up by 7 MB once as late as scrape 400 and then
// stay flat to the end, so a shorter warm-up made this test fail without a leak):
// - threads: none. The native pool, libuv's pool and V8's workers are fixed in number.
// - descriptors: at most 2 apart. Scrapes share one keep-alive connection and the reader closes
//   what it opens per job, so the count is normally exact; 2 leaves room for a connection the
//   client reopens. A leak of one descriptor per 100 scrapes would show 15.
// - memory: a leak grows the resident size all the way through; the allocator and V8's heap sizing
//   move it in steps that happen once and then hold. Three medians of five checkpoints each (start,
//   middle and end of the measured window, about 700 scrapes apart) give two halves; the smaller of
//   the two halves' growth may be at most 3 MB, and the whole window's at most 24 MB. Between garbage
//   collections the resident size moves by 2-3 MB on its own, a median of five by less than 1 MB
//   (measured on this machine). Steps seen without a leak: 7 MB once at scrape 400 (V8 heap
//   sizing), and in one local .ci/run 16 MB inside the window with the old single "at most 8 MB over the
//   window" check, which that check failed; glibc's main arena settled about 24 MB above its start
//   over 6,000 keep-alive scrapes and then stayed. Checked by adding a leak to a build: keeping
//   15 KB per scrape grew the halves by 10.8 and 12.0 MB and failed; 6 KB per scrape was partly
//   absorbed by free memory already in the heap (1.7 and 4.8 MB) and passed. Leaks that small need
//   a longer run than a test can afford: the bench's RSS figures watch them.
import { Agent } from 'node:http';
import { describe, expect, test } from 'vitest';
import { isRoot, skipUnlessRoot } from '../support/netns-lab.js';
import { get, useFleetExporter } from './fleet-exporter.js';
import { median, openDescriptors, residentBytes, threadIds, threadsOutsideOwnNamespace } from './process-facts.js';

const ROUTERS = 8;
const SCRAPES = 2000;
const WARM_UP = 400;
const EVERY = 50;
const MB = 1024 * 1024;

interface Checkpoint {
  readonly scrape: number;
  readonly rss: number;
  readonly fds: number;
  readonly threads: number;
  readonly outside: readonly { tid: number; netns: string }[];
}

describe.skipIf(skipUnlessRoot('no-leak test'))('2,000 scrapes leave the exporter as they found it', () => {
  const setUp = useFleetExporter(ROUTERS, 120_000);

  test('memory, descriptors and threads flat; every thread home between scrapes', async () => {
    if (!isRoot) throw new Error('set-up failed');
    const exporter = setUp.exporter();
    const pid = exporter.child.pid as number;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const checkpoints: Checkpoint[] = [];
    try {
      for (let scrape = 1; scrape <= SCRAPES; scrape++) {
        const response = await get(exporter.port, '/metrics', agent);
        const answer = { status: response.status, body: response.body.toString('utf8') };
        expect(answer.status).toBe(200);
        if (scrape % 100 === 1) {
          // the scrape is complete, not just answered: every router, every collector succeeded
          expect(answer.body.match(/^netns_info\{[^\n]*kind="qrouter"/gm)?.length).toBe(ROUTERS);
          expect(answer.body).not.toMatch(/^netns_collector_success\{.*\} 0$/m);
        }
        if (scrape % EVERY === 0) {
          checkpoints.push({
            scrape,
            rss: residentBytes(pid),
            fds: openDescriptors(pid),
            threads: threadIds(pid).length,
            outside: threadsOutsideOwnNamespace(pid).outside,
          });
        }
      }
    } finally {
      agent.destroy();
    }

    const table = checkpoints.map((c) => `${c.scrape}: rss ${(c.rss / MB).toFixed(1)} MB, fds ${c.fds}, threads ${c.threads}`).join('\n');
    console.log(`exporter pid ${pid} over ${SCRAPES} scrapes of ${ROUTERS} routers:\n${table}`);

    for (const c of checkpoints) expect(c.outside, `threads outside the exporter's namespace after scrape ${c.scrape}`).toEqual([]);
    const settled = checkpoints.filter((c) => c.scrape > WARM_UP);
    const first = settled[0] as Checkpoint;
    for (const c of settled) expect(c.threads, `threads after scrape ${c.scrape}`).toBe(first.threads);
    const fds = settled.map((c) => c.fds);
    expect(Math.max(...fds) - Math.min(...fds), `open descriptors ${fds.join(' ')}`).toBeLessThanOrEqual(2);
    const middle = Math.floor(settled.length / 2);
    const start = median(settled.slice(0, 5).map((c) => c.rss));
    const centre = median(settled.slice(middle - 2, middle + 3).map((c) => c.rss));
    const end = median(settled.slice(-5).map((c) => c.rss));
    const halves = [(centre - start) / MB, (end - centre) / MB];
    expect(
      Math.min(...halves),
      `resident memory growth in the lesser half of the window, MB (halves: ${halves.map((h) => h.toFixed(1)).join(', ')})`,
    ).toBeLessThanOrEqual(3);
    expect((end - start) / MB, 'resident memory growth over the window, MB').toBeLessThanOrEqual(24);
  }, 180_000);
});
