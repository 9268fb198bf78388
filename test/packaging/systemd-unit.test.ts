// deploy/systemd: `systemd-analyze verify` accepts the unit without a single warning, the unit
// grants exactly the capabilities the least-privilege test proves sufficient and necessary
// (test/privilege), and the flags in the example environment file are ones the exporter accepts.

import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtMain } from '../support/built.js';
import { EXEC_BACKEND_CAPABILITIES } from '../privilege/unprivileged-user.js';

const systemdDir = fileURLToPath(new URL('../../deploy/systemd/', import.meta.url));
const unitPath = join(systemdDir, 'netns-exporter.service');
const environmentPath = join(systemdDir, 'netns-exporter.default');

/** `Key=value` lines of one section; a key set twice keeps every value, in order. */
function unitSection(text: string, section: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let current = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1] as string;
      continue;
    }
    if (current !== section) continue;
    const at = line.indexOf('=');
    if (at < 0) throw new Error(`not Key=value: ${line}`);
    const key = line.slice(0, at).trim();
    entries.set(key, [...(entries.get(key) ?? []), line.slice(at + 1).trim()]);
  }
  return entries;
}

/** An EnvironmentFile= as systemd reads the simple cases: KEY=value or KEY="value", # comments. */
function environmentFile(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))$/.exec(line);
    if (!match) throw new Error(`environment file line systemd would read differently from this test: ${line}`);
    variables.set(match[1] as string, match[2] ?? match[3] ?? '');
  }
  return variables;
}

const toSystemdName = (capability: string): string => `CAP_${capability.toUpperCase()}`;

describe('deploy/systemd/netns-exporter.service', () => {
  let unitText: string;
  let service: Map<string, string[]>;
  let root: string;

  beforeAll(async () => {
    unitText = await readFile(unitPath, 'utf8');
    service = unitSection(unitText, 'Service');
    root = await mkdtemp(join(tmpdir(), 'netns-exporter-systemd-'));
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('systemd-analyze verify accepts it with no warning at all', async () => {
    // verify checks that ExecStart= names an executable, so the unit is verified inside a root
    // that has one where the unit expects it (a stub: npm-package.test.ts installs the real one),
    // the machine's own units for the targets it refers to, and the unit itself.
    const execStart = (service.get('ExecStart')?.[0] ?? '').split(/\s+/)[0] as string;
    expect(execStart).toMatch(/^\//);
    await mkdir(join(root, 'usr/lib/systemd'), { recursive: true });
    await execa('cp', ['-a', '/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system')]);
    await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
    await cp(unitPath, join(root, 'etc/systemd/system/netns-exporter.service'));
    await mkdir(join(root, execStart, '..'), { recursive: true });
    await writeFile(join(root, execStart), '#!/bin/sh\n', { mode: 0o755 });

    const result = await execa('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'netns-exporter.service'], {
      reject: false,
      all: true,
    });
    expect(String(result.all ?? '').trim(), 'systemd-analyze verify output').toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('the verify above can fail: a misspelt setting and a missing ExecStart binary are reported', async () => {
    const broken = join(root, 'etc/systemd/system/netns-exporter-broken.service');
    await writeFile(
      broken,
      unitText
        .replace('ProtectHome=yes', 'ProtectHome=yes\nProtectHomes=yes')
        .replace('/usr/local/bin/netns-exporter', '/usr/local/bin/netns-exporter-absent'),
    );
    const result = await execa('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'netns-exporter-broken.service'], {
      reject: false,
      all: true,
    });
    expect(String(result.all)).toContain("Unknown key 'ProtectHomes'");
    expect(String(result.all)).toContain('netns-exporter-absent');
  });

  test('it grants exactly the capabilities docs/security.md and the least-privilege test settle on', () => {
    const expected = EXEC_BACKEND_CAPABILITIES.map(toSystemdName).sort();
    const listed = (key: string): string[] => (service.get(key) ?? []).flatMap((value) => value.split(/\s+/)).sort();
    expect(listed('AmbientCapabilities')).toEqual(expected);
    expect(listed('CapabilityBoundingSet')).toEqual(expected);
  });

  test('it runs as a user of its own, hardened, restarted on failure', () => {
    const single = (key: string): string | undefined => service.get(key)?.at(-1);
    expect(single('User')).toBe('netns-exporter');
    expect(single('NoNewPrivileges')).toBe('yes');
    expect(single('ProtectSystem')).toBe('strict');
    expect(single('ProtectHome')).toBe('yes');
    expect(single('Restart')).toBe('on-failure');
    // These would break the exporter (they hide /proc/net and other processes, or forbid setns).
    for (const key of ['ProtectProc', 'ProcSubset', 'RestrictNamespaces', 'PrivateNetwork', 'MemoryDenyWriteExecute']) {
      expect(service.has(key), key).toBe(false);
    }
  });

  test('flags come from the environment file, and the exporter accepts the example flags', async () => {
    expect(service.get('EnvironmentFile')).toEqual(['-/etc/default/netns-exporter']);
    expect(service.get('ExecStart')?.[0]).toMatch(/ \$ARGS$/);
    const args = environmentFile(await readFile(environmentPath, 'utf8')).get('ARGS');
    expect(args).toBeDefined();
    // `$ARGS` (unbraced) is split on whitespace by systemd.
    const flags = (args as string).split(/\s+/).filter(Boolean);
    expect(flags.length).toBeGreaterThan(0);
    // One scrape that looks at no namespace: the flags are parsed and validated exactly as at start.
    const once = await execa('node', [builtMain, ...flags, '--once', '--netns.include=^$', '--no-netns.scan-processes'], { reject: false });
    expect(once.stderr).not.toMatch(/netns-exporter: /);
    expect(once.exitCode).toBe(0);
    // A flag the exporter does not know is refused, so the check above means something.
    const wrong = await execa('node', [builtMain, ...flags, '--web.listen-adress=:1', '--once'], { reject: false });
    expect(wrong.exitCode).toBe(2);
  });

  test('it sets the same NODE_OPTIONS as the Dockerfile, and node takes them', async () => {
    const environment = service.get('Environment') ?? [];
    const nodeOptions = environment.map((entry) => /^NODE_OPTIONS=(.+)$/.exec(entry)?.[1]).find((value) => value !== undefined);
    expect(nodeOptions).toBeDefined();
    const dockerfile = await readFile(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');
    expect(/^\s*NODE_OPTIONS=(\S+)/m.exec(dockerfile)?.[1]).toBe(nodeOptions);
    // node refuses a V8 flag it does not know (exit 9), so a typo here would stop the service
    const run = await execa('node', ['-e', 'process.exit(0)'], { env: { NODE_OPTIONS: nodeOptions }, reject: false });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const typo = await execa('node', ['-e', 'process.exit(0)'], { env: { NODE_OPTIONS: '--max-semi-space-sise=8' }, reject: false });
    expect(typo.exitCode).not.toBe(0);
  });
});
