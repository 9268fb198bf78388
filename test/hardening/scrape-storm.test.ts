// Scrape storms: 50 scrapes at once must cause one collection and get one body; clients that hang up
// early or mid-response must not disturb the others; --web.max-requests must refuse what is beyond it.
// A stand-in nsenter first on the exporter's PATH counts every namespace entry (one per namespace per
// collection) and waits a little first, so the collection lasts long enough for a storm to arrive.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { logLines } from './exporter-logs.js';
import { httpGet, type HttpAnswer } from './http-get.js';
import { createStandIns, realTool, shellQuote, type StandIns } from './stand-in-tools.js';

const STORM = 50;
const ENTER_DELAY_SECONDS = 2;
const RULES = 2000;

/** The exporter's own lines (netns_*), without prom-client's process and runtime metrics. */
const netnsPart = (body: string) =>
  body
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?netns_/.test(line))
    .join('\n');

function entries(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Sends a scrape and hangs up `after` the given moment: while the exporter collects, or once the headers are in. */
function rudeClient(port: number, after: 'collecting' | 'headers'): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n');
      if (after === 'collecting') {
        setTimeout(() => {
          socket.destroy();
          resolve({ bytes: 0 });
        }, 300);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (after === 'headers' && received.includes('\r\n\r\n')) {
        socket.destroy();
        resolve({ bytes: received.length });
      }
    });
  });
}

describe.skipIf(skipUnlessRoot('scrape storm tests'))('scrape storms', () => {
  let lab: NetnsLab;
  let standIns: StandIns;
  let calls: string;
  const exporters: ExporterProcess[] = [];
  let names: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('storm');
    standIns = await createStandIns();
    lab.onCleanup(() => standIns.remove());
    names = await lab.addNamespaces(['a', 'b', 'rules']);
    // A body of several hundred KB, so a client that hangs up after the headers really cuts the response.
    const restore = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':storm - [0:0]'];
    for (let i = 1; i <= RULES; i++) restore.push(`-A storm -p udp --dport ${i} -m comment --comment "storm rule ${i}" -j ACCEPT`);
    restore.push('COMMIT', '');
    await execa('ip', ['netns', 'exec', names[2] as string, 'iptables-restore'], { input: restore.join('\n') });
    calls = `${standIns.dir}/nsenter-calls`;
    await standIns.script(
      'nsenter',
      `echo "$$" >> ${shellQuote(calls)}\nsleep ${ENTER_DELAY_SECONDS}\nexec ${shellQuote(realTool('nsenter'))} "$@"`,
    );
  });
  afterAll(async () => {
    await Promise.all(exporters.map((exporter) => exporter.stop()));
    await lab?.cleanup();
  });

  const start = async (args: string[]): Promise<ExporterProcess> => {
    const exporter = await startExporter(
      [`--netns.include=^${lab.prefix}`, '--no-netns.scan-processes', '--collector.backend=exec', ...args],
      { PATH: standIns.path },
    );
    exporters.push(exporter);
    return exporter;
  };

  test(`${STORM} concurrent scrapes: one collection, one body, rude clients change nothing`, async () => {
    // The two rude clients hold a slot each until the collection ends, like everyone else.
    const exporter = await start([`--web.max-requests=${STORM + 2}`, '--log.level=debug']);
    const before = entries(calls);

    const rude = [rudeClient(exporter.port, 'collecting'), rudeClient(exporter.port, 'headers')];
    const answers = await Promise.all(
      Array.from({ length: STORM }, () => httpGet(exporter.port, '/metrics', { headers: { 'Accept-Encoding': 'identity' } })),
    );
    const [, cut] = await Promise.all(rude);

    expect(answers.map((answer) => answer.status)).toEqual(Array(STORM).fill(200));
    // One collection: each of the three namespaces entered once, and one "scrape collected" debug line.
    expect(entries(calls) - before).toBe(names.length);
    expect(logLines(exporter.logs()).filter((line) => line.msg === 'scrape collected')).toHaveLength(1);

    const first = answers[0] as HttpAnswer;
    const series = parseExposition(first.body);
    expect(
      select(series, 'netns_info')
        .map((s) => s.labels.netns)
        .sort(),
    ).toEqual([...names].sort());
    expect(select(series, 'netns_iptables_rule_packets_total', { netns: names[2] as string })).toHaveLength(RULES);
    for (const answer of answers) expect(netnsPart(answer.body)).toBe(netnsPart(first.body));
    // Self metrics are rendered inside the one collection too, so the whole bodies are the same.
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    // The client that hung up after the headers got only a part of the body.
    expect(cut?.bytes).toBeLessThan(Buffer.byteLength(first.body));

    // The exporter is unharmed: the next scrape is a new collection, and nothing was logged as an error.
    const next = await httpGet(exporter.port, '/metrics');
    expect(next.status).toBe(200);
    expect(entries(calls) - before).toBe(2 * names.length);
    expect(logLines(exporter.logs()).filter((line) => line.level >= 50)).toEqual([]);
    console.log(`storm: body ${first.body.length} bytes; the rude client read ${cut?.bytes} bytes before hanging up`);
  });

  test('--web.max-requests answers 503 beyond the limit, at once', async () => {
    const exporter = await start(['--web.max-requests=5']);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const answer = await httpGet(exporter.port, '/metrics');
        return { status: answer.status, body: answer.body, ms: performance.now() - started };
      }),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused).toHaveLength(15);
    // Refused without waiting for the collection (which takes at least ENTER_DELAY_SECONDS).
    for (const answer of refused) expect(answer.ms).toBeLessThan(ENTER_DELAY_SECONDS * 1000);
    expect(refused[0]?.body).toBe('Too many concurrent scrapes\n');
    // The limit counts requests in flight, not ever: once they are done, scrapes are served again.
    expect((await httpGet(exporter.port, '/metrics')).status).toBe(200);
  });
});
