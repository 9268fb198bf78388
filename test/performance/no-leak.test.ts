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
// - memory: the median of the last five checkpoints at most 8 MB above the median of the first
//   five, about 1,350 scrapes apart. Between garbage collections the resident size moves by 2-3 MB
//   on its own (measured on this machine); keeping one scrape's body (about 300 KB here) per scrape
//   would add about 400 MB, keeping one router's raw readings (about 25 KB) per scrape about 33 MB,
//   and 6 KB per scrape would be caught.
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
    const early = median(settled.slice(0, 5).map((c) => c.rss));
    const late = median(settled.slice(-5).map((c) => c.rss));
    expect((late - early) / MB, 'resident memory growth after warm-up, MB').toBeLessThanOrEqual(8);
  }, 180_000);
});
