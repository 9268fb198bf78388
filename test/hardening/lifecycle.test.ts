// Lifecycle of the real binary: SIGTERM and SIGINT during a scrape stop new connections, let the
// scrape finish and exit 0 soon after; start-up problems are one line on stderr and a non-zero exit.
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtMain } from '../support/built.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { freePort } from '../support/prometheus.js';
import { exporterMainFor, nobodyUser } from '../privilege/unprivileged-user.js';
import { eventually } from './process-tree.js';
import { createStandIns, realTool, shellQuote, type StandIns } from './stand-in-tools.js';

const ENTER_DELAY_SECONDS = 2;

function entries(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Whether a new TCP connection to the port is accepted or refused. */
function tryConnect(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A connection the kernel queued just before the listening socket closed is reset, not served.
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') resolve('refused');
      else reject(error);
    });
  });
}

/** A scrape over a keep-alive connection, as Prometheus makes them; the connection stays in `agent` after. */
function keepAliveScrape(port: number, agent: Agent): Promise<{ status: number; body: string; at: number }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: '/metrics', agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, at: performance.now() }));
    })
      .on('error', reject)
      .end();
  });
}

/** Runs the binary to its end (it must fail to start); at most 20 s. */
async function startFailure(args: string[], wrapper: string[] = [], main = builtMain) {
  const [command, ...rest] = [...wrapper, 'node', main, ...args] as [string, ...string[]];
  const result = await execa(command, rest, { reject: false, timeout: 20_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderrLines: String(result.stderr).split('\n').filter(Boolean) };
}

/** One line, ours, and nothing that looks like a stack trace or a source path. */
function expectOneClearLine(stderrLines: string[], reason: RegExp): void {
  expect(stderrLines).toHaveLength(1);
  expect(stderrLines[0]).toMatch(/^netns-exporter: /);
  expect(stderrLines[0]).toMatch(reason);
  expect(stderrLines[0]).not.toMatch(/\bat .*:\d+:\d+|node:internal|\/dist\/|\.js\b/);
}

describe.skipIf(skipUnlessRoot('lifecycle tests'))('lifecycle', () => {
  let lab: NetnsLab;
  let standIns: StandIns;
  let calls: string;
  let ns: string;
  const exporters: ExporterProcess[] = [];

  beforeAll(async () => {
    lab = await createNetnsLab('life');
    standIns = await createStandIns();
    lab.onCleanup(() => standIns.remove());
    ns = await lab.addNamespace('a');
    calls = `${standIns.dir}/nsenter-calls`;
    // Entering a namespace takes a while, so a signal can arrive while a scrape is surely in flight.
    await standIns.script(
      'nsenter',
      `echo "$$" >> ${shellQuote(calls)}\nsleep ${ENTER_DELAY_SECONDS}\nexec ${shellQuote(realTool('nsenter'))} "$@"`,
    );
  });
  afterAll(async () => {
    await Promise.all(exporters.map((exporter) => exporter.stop()));
    await lab?.cleanup();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} during a scrape: no new connections, the scrape completes, exit 0`, async () => {
      const exporter = await startExporter([`--netns.include=^${lab.prefix}`, '--no-netns.scan-processes', '--collector.backend=exec'], {
        PATH: standIns.path,
      });
      exporters.push(exporter);
      const before = entries(calls);
      const agent = new Agent({ keepAlive: true });
      try {
        const scrape = keepAliveScrape(exporter.port, agent);
        expect(await eventually(() => entries(calls) > before, 10_000)).toBe(true);

        const signalledAt = performance.now();
        exporter.child.kill(signal);
        // The listening socket closes as the signal is handled; poll briefly for that moment.
        let state = await tryConnect(exporter.port);
        for (const until = performance.now() + 1000; state === 'accepted' && performance.now() < until;) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          state = await tryConnect(exporter.port);
        }
        expect(state).toBe('refused');

        const answer = await scrape;
        expect(answer.status).toBe(200);
        expect(select(parseExposition(answer.body), 'netns_info', { netns: ns })).toHaveLength(1);

        const result = await exporter.child;
        const exitedAt = performance.now();
        expect(result.exitCode).toBe(0);
        expect(result.signal).toBeUndefined();
        // Exit follows the last answer at once, even with Prometheus-style keep-alive connections open.
        expect(exitedAt - answer.at).toBeLessThan(2000);
        expect(exitedAt - signalledAt).toBeLessThan(ENTER_DELAY_SECONDS * 1000 + 3000);
        expect(exporter.logs()).toContain(`"signal":"${signal}"`);
        console.log(
          `${signal}: answered ${(answer.at - signalledAt).toFixed(0)} ms after the signal, exited ${(exitedAt - answer.at).toFixed(0)} ms after answering`,
        );
      } finally {
        agent.destroy();
      }
    });
  }

  test('a port in use: one line, exit 1', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const result = await startFailure([`--web.listen-address=127.0.0.1:${port}`, '--no-netns.scan-processes']);
      expect(result.exitCode).toBe(1);
      expectOneClearLine(result.stderrLines, /address already in use/);
    } finally {
      blocker.close();
    }
  });

  test('an address not on this host: one line, exit 1', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
    const result = await startFailure(['--web.listen-address=192.0.2.1:9724', '--no-netns.scan-processes']);
    expect(result.exitCode).toBe(1);
    expectOneClearLine(result.stderrLines, /address not available/);
  });

  describe('--netns.dir', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nxt-life-netns-dir-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('a file instead of a directory: one line, exit 1', async () => {
      const file = join(dir, 'not-a-dir');
      await writeFile(file, '');
      const port = await freePort();
      const result = await startFailure([`--web.listen-address=127.0.0.1:${port}`, `--netns.dir=${file}`]);
      expect(result.exitCode).toBe(1);
      expectOneClearLine(result.stderrLines, /not a directory/);
    });

    test('a directory the exporter may not read (as an unprivileged user): one line, exit 1', async () => {
      // Root reads any directory, so the exporter runs as nobody here; mode 0700 keeps nobody out.
      const closed = join(dir, 'closed');
      await execa('mkdir', ['-m', '0700', closed]);
      await chmod(dir, 0o755);
      const user = await nobodyUser();
      // The build itself, or a copy nobody can read when the checkout is private (/root/...).
      const { main, cleanup } = await exporterMainFor(user);
      try {
        const port = await freePort();
        const result = await startFailure(
          [`--web.listen-address=127.0.0.1:${port}`, `--netns.dir=${closed}`, '--no-netns.scan-processes'],
          ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'],
          main,
        );
        expect(result.exitCode).toBe(1);
        expectOneClearLine(result.stderrLines, /cannot read .*permission denied/);
      } finally {
        await cleanup();
      }
    });

    test('a directory that does not exist yet is fine: nothing has been named there', async () => {
      // no walk of /proc either (the processes collector makes one even without scan-processes): a
      // process this machine does not let root examine (a sandbox's pid 1) is a discovery error of its own
      const exporter = await startExporter([
        `--netns.dir=${join(dir, 'not-yet')}`,
        '--no-netns.scan-processes',
        '--no-collector.processes',
      ]);
      exporters.push(exporter);
      const series = parseExposition(await (await fetch(`http://${exporter.address}/metrics`)).text());
      expect(select(series, 'netns_info')).toEqual([]);
      expect(select(series, 'netns_scrape_discovery_errors')[0]?.value).toBe(0);
    });
  });
});
