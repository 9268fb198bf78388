// `netns-exporter top` on real namespaces (root), the built binary: `--once` prints one table whose
// rates are the kernel's counters' change over the interval (known traffic sent between the two
// collections, `ip -s -j link` read before and after), `--output json` the documented shape; and
// the live table runs in a real terminal (tmux on a socket of its own): keys change the sort and
// the filters, the order on the screen changes with them, and `q` quits.

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TopReport } from '../../src/on-node/top-table.js';
import { builtMain } from '../support/built.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

interface LinkStats {
  readonly rx: { readonly bytes: number; readonly packets: number };
  readonly tx: { readonly bytes: number; readonly packets: number };
}

/** Every link but lo: what top sums. */
async function stats(ns: string): Promise<{ rxBytes: number; packets: number }> {
  const { stdout } = await execa('ip', ['-n', ns, '-s', '-j', 'link', 'show']);
  const links = (JSON.parse(stdout) as { ifname: string; stats64: LinkStats }[]).filter((link) => link.ifname !== 'lo');
  return {
    rxBytes: links.reduce((sum, link) => sum + link.stats64.rx.bytes, 0),
    packets: links.reduce((sum, link) => sum + link.stats64.rx.packets + link.stats64.tx.packets, 0),
  };
}

async function macOf(ns: string, dev: string): Promise<string> {
  const { stdout } = await execa('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
  return (JSON.parse(stdout) as { address: string }[])[0]?.address ?? '';
}

describe.skipIf(skipUnlessRoot('top on real namespaces'))('netns-exporter top', () => {
  let lab: NetnsLab;
  let busy: string;
  let quiet: string;
  let dhcp: string;
  let external: string;
  let only: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('top');
    busy = await lab.addNeutronNamespace('qrouter', 'b-busy');
    quiet = await lab.addNeutronNamespace('qrouter', 'a-quiet');
    dhcp = await lab.addNeutronNamespace('qdhcp', 'c-dhcp');
    external = await lab.addNamespace('ext');
    await lab.vethPair({ ns: busy, dev: 'qg-busy', cidr: '10.93.0.2/24' }, { ns: external, dev: 'ext-busy', cidr: '10.93.0.1/24' });
    await lab.vethPair({ ns: quiet, dev: 'qg-quiet', cidr: '10.94.0.2/24' }, { ns: external, dev: 'ext-quiet', cidr: '10.94.0.1/24' });
    await lab.vethPair({ ns: dhcp, dev: 'tap-c', cidr: '10.95.0.2/24' }, { ns: external, dev: 'ext-c', cidr: '10.95.0.1/24' });
    // permanent neighbours: no ARP between the reads, so the kernel's change is the test's datagrams
    await execa('ip', [
      '-n',
      external,
      'neigh',
      'replace',
      '10.93.0.2',
      'dev',
      'ext-busy',
      'lladdr',
      await macOf(busy, 'qg-busy'),
      'nud',
      'permanent',
    ]);
    await lab.run(busy, ['iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '9', '-j', 'DROP']);
    only = ['--no-netns.scan-processes', `--netns.include=^q(router|dhcp)-${lab.prefix}`];
  });

  afterAll(async () => {
    await lab?.cleanup();
  });

  test('--once --output json: every namespace, rates the kernel counters’ change over the interval', async () => {
    const before = await stats(busy);
    const run = execa('node', [builtMain, 'top', '--once', '--output=json', '--interval=2s', '--log.level=debug', ...only], {
      reject: false,
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      run.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('"msg":"scrape collected"')) resolve();
      });
    });
    await lab.sendUdp(external, '10.93.0.2', 9, 30, 200);
    const result = await run;
    const after = await stats(busy);
    expect(result.exitCode, stderr).toBe(0);
    const report = JSON.parse(result.stdout) as TopReport;
    expect(report.format).toBe('netns-exporter/top/v1');
    expect(report.namespaces.map((row) => row.name)).toEqual(
      [busy, dhcp, quiet].sort((a, b) => (a === busy ? -1 : b === busy ? 1 : a.localeCompare(b))),
    );
    const row = report.namespaces[0];
    expect(after.packets - before.packets).toBe(30);
    expect(row?.receiveBitsPerSecond).toBeCloseTo(((after.rxBytes - before.rxBytes) * 8) / report.intervalSeconds, 6);
    expect(row?.packetsPerSecond).toBeCloseTo(30 / report.intervalSeconds, 6);
    expect(row?.ruleHitsPerSecond).toBeCloseTo(30 / report.intervalSeconds, 6);
    expect(row).toMatchObject({ kind: 'qrouter', errorsPerSecond: 0, dropsPerSecond: 0, failures: [] });
    expect(report.namespaces.find((candidate) => candidate.name === dhcp)?.kind).toBe('qdhcp');
  });

  test('--once without a terminal prints one table; --kind and --sort pick rows and order', async () => {
    const run = await execa('node', [builtMain, 'top', '--interval=200ms', '--sort=name', ...only], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^3 namespaces, rates over 0\.\d\d s, sorted by name$/);
    expect(lines[1]).toMatch(
      /^namespace\s+kind\s+project\s+router\s+rx\s+tx\s+pkt\/s\s+err\/s\s+drop\/s\s+conntrack\s+rules\/s\s+failures$/,
    );
    expect(lines.slice(2).map((line) => line.split(/\s+/)[0])).toEqual([dhcp, quiet, busy].sort());
    expect(run.stdout).not.toContain('\u001b['); // no colour into a pipe
    const routers = await execa('node', [builtMain, 'top', '--once', '--interval=200ms', '--kind=qrouter', '--sort=name', ...only]);
    expect(
      routers.stdout
        .trimEnd()
        .split('\n')
        .slice(2)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual([quiet, busy].sort());
  });

  test('live in a terminal: sort keys, reverse, kind and name filters change the screen; q quits', async () => {
    const socket = `${lab.prefix}tmux`;
    const session = 'top';
    const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args]);
    lab.onCleanup(async () => {
      await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
    });
    // steady traffic into the busy router for the whole test, so throughput orders it first
    const traffic = execa(
      'ip',
      ['netns', 'exec', external, 'bash', '-c', 'exec 3>/dev/udp/10.93.0.2/9; while :; do printf x >&3; sleep 0.01; done'],
      {
        reject: false,
      },
    );
    lab.onCleanup(() => {
      traffic.kill('SIGKILL');
    });
    await tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '20', 'node', builtMain, 'top', '--interval=500ms', ...only);
    const screen = async (): Promise<string> => (await tmux('capture-pane', '-p', '-t', session)).stdout;
    const order = (text: string): string[] =>
      text
        .split('\n')
        .map((line) => line.split(/\s+/)[0] ?? '')
        .filter((name) => name.includes(lab.prefix));
    const waitFor = async (what: string, ok: (text: string) => boolean): Promise<string> => {
      let text = '';
      for (let waited = 0; waited < 20_000; waited += 100) {
        text = await screen();
        if (ok(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`top never showed ${what}; the screen:\n${text}`);
    };

    const first = await waitFor('three rows, busy first', (text) => order(text).length === 3 && order(text)[0] === busy);
    expect(first).toContain('sort throughput');
    await tmux('send-keys', '-t', session, 'n');
    await waitFor('name order', (text) => text.includes('sort name') && order(text).join() === [dhcp, quiet, busy].sort().join());
    await tmux('send-keys', '-t', session, 'r');
    await waitFor(
      'reversed name order',
      (text) => text.includes('(reversed)') && order(text).join() === [dhcp, quiet, busy].sort().reverse().join(),
    );
    // k: all, then each kind present in name order (qdhcp, qrouter), then all again
    await tmux('send-keys', '-t', session, 'k');
    await waitFor('qdhcp only', (text) => text.includes('kind qdhcp') && order(text).join() === dhcp);
    await tmux('send-keys', '-t', session, 'k');
    await waitFor('qrouters only', (text) => text.includes('kind qrouter') && order(text).join() === [quiet, busy].sort().reverse().join());
    await tmux('send-keys', '-t', session, 'k', 'r', 'p');
    await waitFor(
      'every kind again, by packets',
      (text) => text.includes('kind all') && text.includes('sort packets') && order(text)[0] === busy,
    );
    await tmux('send-keys', '-t', session, '/', 'a-qu', 'Enter');
    await waitFor('the name filter', (text) => text.includes('name /a-qu') && order(text).join() === quiet);
    await tmux('send-keys', '-t', session, 'q');
    // top exits, and tmux closes the session (and its server) with it
    const alive = async (): Promise<boolean> =>
      (await execa('tmux', ['-L', socket, 'has-session', '-t', session], { reject: false })).exitCode === 0;
    for (let waited = 0; waited < 5000 && (await alive()); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await alive()).toBe(false);
  });

  test('colour on a terminal only, and not under NO_COLOR', async () => {
    const socket = `${lab.prefix}colour`;
    const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args]);
    lab.onCleanup(async () => {
      await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
    });
    // panes stay after their program exits, so the screen it left can be read
    await tmux('new-session', '-d', '-s', 'keep', 'sleep', '60');
    await tmux('set-option', '-g', 'remain-on-exit', 'on');
    const screenOf = async (session: string, env: string[]): Promise<string> => {
      await tmux(
        'new-session',
        '-d',
        '-s',
        session,
        ...env,
        '-x',
        '160',
        '-y',
        '10',
        'node',
        builtMain,
        'top',
        '--once',
        '--interval=200ms',
        ...only,
      );
      for (let waited = 0; waited < 20_000; waited += 100) {
        if ((await tmux('display-message', '-p', '-t', session, '#{pane_dead}')).stdout.trim() === '1') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return (await tmux('capture-pane', '-p', '-e', '-t', session)).stdout;
    };
    // NO_COLOR set but empty counts as unset (no-color.org); the tmux server inherits this process's
    // environment, which may have NO_COLOR=1 (a CI runner's, when its output is not a terminal)
    const coloured = await screenOf('tty', ['-e', 'NO_COLOR=']);
    expect(coloured).toContain('namespace');
    // the header, inverse: an SGR with 7, which tmux may print with a reset in front (ESC[0;7m)
    expect(coloured).toMatch(/\u001b\[(?:[0-9]+;)*7m/);
    const plain = await screenOf('nocolor', ['-e', 'NO_COLOR=1']);
    expect(plain).toContain('namespace');
    expect(plain).not.toContain('\u001b[');
  });
});
