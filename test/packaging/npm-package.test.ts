// The npm package, as a user gets it: `npm pack` of the committed tree (a fresh clone of HEAD, as a
// release would be made, so the revision is stamped from git), installed with `npm install -g` into
// a temporary prefix, then run as `netns-exporter`: --version is package.json's version, and --once
// as root reports a lab namespace with netns_exporter_build_info naming the same version, the
// commit and this Node.js.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseExposition, select } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { COLLECTORS } from '../../src/collectors/registry.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MINUTE = 60_000;

interface PackedFile {
  readonly path: string;
  readonly size: number;
}

describe.skipIf(skipUnlessRoot('npm package test (--once needs root to enter namespaces)'))('the npm package', () => {
  let work: string;
  let lab: NetnsLab;
  let namespace: string;
  let version: string;
  let revision: string;
  let packedFiles: PackedFile[];
  let unpackedSize: number;
  let bin: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'netns-exporter-npm-'));
    const clone = join(work, 'clone');
    await execa('git', ['clone', '--quiet', repoRoot, clone]);
    revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim();
    version = (JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')) as { version: string }).version;
    // The build needs the dev dependencies (tsc); the clone borrows the checkout's instead of installing them again.
    await symlink(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));

    const pack = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: clone });
    // Lifecycle scripts write to stdout before the JSON report.
    const report = JSON.parse(String(pack.stdout).slice(String(pack.stdout).indexOf('\n[') + 1)) as {
      filename: string;
      files: PackedFile[];
      unpackedSize: number;
    }[];
    const [packed] = report;
    if (!packed) throw new Error(`npm pack reported nothing: ${pack.stdout}`);
    packedFiles = packed.files;
    unpackedSize = packed.unpackedSize;

    const prefix = join(work, 'prefix');
    await execa('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: work });
    bin = join(prefix, 'bin', 'netns-exporter');

    lab = await createNetnsLab('npm');
    namespace = await lab.addNamespace('one');
  }, 10 * MINUTE);

  afterAll(async () => {
    await lab?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the tarball holds the compiled exporter, the stamped revision and the docs, and no sources or tests', () => {
    const paths = packedFiles.map((file) => file.path);
    for (const expected of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'dist/cli/main.js',
      'dist/cli/rules-command.js',
      'dist/build-info.json',
      'deploy/systemd/netns-exporter.service',
      'deploy/prometheus/thresholds.example.yaml',
    ]) {
      expect(paths, expected).toContain(expected);
    }
    // The addon is compiled at install (the install script), so its sources ship, never a build.
    expect(paths).toEqual(expect.arrayContaining(['native/binding.gyp', 'native/build-addon.mjs']));
    expect(paths.filter((path) => /^(src|test|bench|node_modules)\/|\.map$|\.ts$|^native\/build\//.test(path))).toEqual([]);
    expect(unpackedSize).toBeLessThan(2_000_000);
  });

  test("netns-exporter --version prints package.json's version", async () => {
    const result = await execa(bin, ['--version']);
    expect(result.stdout.trim()).toBe(version);
  });

  test('netns-exporter rules, installed, writes the shipped rules file from the shipped example thresholds', async () => {
    const shipped = await execa(bin, ['rules']);
    expect(`${shipped.stdout}\n`).toBe(await readFile(join(work, 'clone/deploy/prometheus/netns-exporter.rules.yml'), 'utf8'));
    const example = join(work, 'prefix/lib/node_modules/netns-exporter/deploy/prometheus/thresholds.example.yaml');
    const custom = await execa(bin, ['rules', '--config', example]);
    expect(custom.stdout).toContain('count by (region, id, kind, device)');
  });

  test('netns-exporter --once reports a lab namespace', async () => {
    const escaped = namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const result = await execa(bin, ['--once', `--netns.include=^${escaped}$`, '--no-netns.scan-processes'], { timeout: 60_000 });
    const series = parseExposition(result.stdout);
    expect(select(series, 'netns_info', { netns: namespace })).toHaveLength(1);
    expect(select(series, 'netns_network_receive_bytes_total', { netns: namespace, device: 'lo' })).toHaveLength(1);
    // every collector on by default succeeds (the registry says which those are)
    const defaults = COLLECTORS.filter((collector) => collector.defaultEnabled).map((collector) => collector.name);
    const success = select(series, 'netns_collector_success', { netns: namespace });
    expect(success.map((s) => s.labels.collector).sort()).toEqual([...defaults].sort());
    expect(success.map((s) => s.value)).toEqual(defaults.map(() => 1));
  });

  test('served, netns_exporter_build_info names the version --version prints, the commit and this Node.js', async () => {
    // --once leaves the exporter's own metrics out (they would clash in a textfile), so ask the server.
    const server = execa(bin, ['--web.listen-address=127.0.0.1:0', '--netns.include=^$', '--no-netns.scan-processes'], {
      reject: false,
      all: true,
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let seen = '';
        server.all?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /"address":"127\.0\.0\.1:(\d+)"/.exec(seen);
          if (match) resolve(Number(match[1]));
        });
        void server.then(() => reject(new Error(`netns-exporter exited before listening: ${seen}`)));
      });
      const series = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      const printed = (await execa(bin, ['--version'])).stdout.trim();
      expect(select(series, 'netns_exporter_build_info').map((s) => s.labels)).toEqual([
        { version: printed, revision, nodejs_version: process.version },
      ]);
    } finally {
      server.kill('SIGTERM');
      await server;
    }
  });
});
