// The Dockerfile, built and run for real with podman (no Docker engine here). With no image registry
// reachable, the base is a local stand-in for node:20-bookworm-slim (base-rootfs.sh: debootstrap
// plus this machine's Node.js). The container runs as the Dockerfile's comment says: host network
// and PID namespace, /run/netns with rslave propagation, four capabilities, no-new-privileges and a
// read-only root. Against namespaces this test creates, it checks the series (named, legacy and nft
// iptables, a namespace held only by a process) with the native reader when native/ exists, a
// namespace created after start, the HEALTHCHECK, SIGTERM, and that the image builds and works
// (with the exec reader) without native/ too.
//
// Slow: about 5 minutes from nothing (debootstrap), about 2 with the Debian tarball cached in
// NETNS_EXPORTER_TEST_CACHE (default /var/cache/netns-exporter-test).

import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COLLECTORS } from '../../src/collectors/registry.js';
import { parseExposition, select, type ParsedSeries } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type HeldNamespace, type NetnsLab } from '../support/netns-lab.js';
import { CONTAINER_RUN_OPTIONS } from './container-run.js';
import { createPrivatePodman, missingTools, type PrivatePodman } from './private-podman.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = process.env.NETNS_EXPORTER_TEST_CACHE ?? '/var/cache/netns-exporter-test';
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();

const BASE_IMAGE = 'localhost/netns-exporter-base:test';
const RUNTIME_BASE_IMAGE = 'localhost/netns-exporter-debian:test';
const IMAGE = 'localhost/netns-exporter:test';
const IMAGE_WITHOUT_NATIVE = 'localhost/netns-exporter:test-without-native';
const CONTAINER = 'netns-exporter-test';
const MINUTE = 60_000;

/** Wall-clock seconds of each phase, printed at the end for the README's figures. */
const timings: Record<string, number> = {};
async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[phase] = Math.round((performance.now() - started) / 100) / 10;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function scrape(port: number): Promise<ParsedSeries[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

/** Polls until `check` passes (it throws while not), for at most `ms`; the last failure is the error. */
async function eventually<T>(ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Every default collector succeeded (neutron_ha too: no HA directory in the lab, which is not a failure). */
const EVERY_COLLECTOR_OK = Object.fromEntries(COLLECTORS.filter((c) => c.defaultEnabled).map((c) => [c.name, 1]));

function successOf(series: readonly ParsedSeries[], netns: string): Record<string, number> {
  return Object.fromEntries(select(series, 'netns_collector_success', { netns }).map((s) => [s.labels.collector, s.value]));
}

describe.skipIf(skipUnlessRoot('container packaging test (podman build/run, namespaces)'))(
  'the Docker image, built and run with podman',
  () => {
    let podman: PrivatePodman;
    let lab: NetnsLab;
    let router: string;
    let held: HeldNamespace;
    let port: number;
    let labOnly: string;

    beforeAll(async () => {
      const missing = await missingTools();
      if (missing.length > 0) throw new Error(`container test needs ${missing.join(', ')}: apt-get install them (.ci/run does)`);

      lab = await createNetnsLab('ctr');
      router = await lab.addNeutronNamespace('qrouter', 'r1');
      await lab.vethPair({ ns: router, dev: 'qr-ctr0' }, { ns: router, dev: 'qr-ctr1' });
      await lab.run(router, ['iptables-nft', '-A', 'INPUT', '-s', '10.66.0.1/32', '-m', 'comment', '--comment', 'ctr nft', '-j', 'ACCEPT']);
      await lab.run(router, ['iptables-legacy', '-A', 'FORWARD', '-s', '10.66.0.2/32', '-j', 'DROP']);
      // Reachable only through /proc/<pid>/ns/net: needs --pid=host and SYS_PTRACE.
      held = await lab.holdUnnamedNamespace();
      // Only this lab, as other tests' namespaces come and go on the machine and would slow every scrape.
      const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      labOnly = `--netns.include=${escape(lab.prefix)}|^${escape(`net:[${held.inode}]`)}$`;

      podman = await createPrivatePodman();
      const baseTar = join(podman.dir, 'base-rootfs.tar');
      const rootfs = await timed('base root filesystem (debootstrap or cache)', () =>
        execa('bash', [join(repoRoot, 'test/packaging/base-rootfs.sh'), cacheDir, baseTar], { stderr: 'inherit' }),
      );
      const debianTar = rootfs.stdout.trim();
      await timed('podman import of the bases', async () => {
        await podman.podman(['import', baseTar, BASE_IMAGE]);
        await podman.podman(['import', debianTar, RUNTIME_BASE_IMAGE]);
      });
      await timed('podman build', () => build(IMAGE, join(repoRoot, '.dockerignore')));
    }, 30 * MINUTE);

    afterAll(async () => {
      await podman?.cleanup();
      await lab?.cleanup();
      console.log(`container test timings (s): ${JSON.stringify(timings)}`);
    }, 5 * MINUTE);

    /** Builds the repository's Dockerfile on the local bases; on failure the error carries the reason. */
    async function build(tag: string, ignoreFile: string): Promise<void> {
      const result = await podman.podmanResult([
        'build',
        '--pull=never', // no registry: the base is the local image
        '--format=docker', // OCI image configs have no HEALTHCHECK
        '--network=host', // RUN steps reach apt and npm without a bridge
        `--ignorefile=${ignoreFile}`,
        `--build-arg=BASE_IMAGE=${BASE_IMAGE}`,
        `--build-arg=RUNTIME_BASE_IMAGE=${RUNTIME_BASE_IMAGE}`,
        `--build-arg=REVISION=${revision}`,
        `--tag=${tag}`,
        repoRoot,
      ]);
      if (result.exitCode !== 0) {
        // npm and apt print their reason first and pages of usage after it: show both ends.
        const lines = result.all.trim().split('\n');
        const errors = lines.filter((line) => /\berror\b|^E: /i.test(line)).slice(0, 20);
        throw new Error(
          `podman build of ${tag} failed (exit ${result.exitCode}):\n${errors.join('\n')}\n...\n${lines.slice(-15).join('\n')}`,
        );
      }
    }

    test('the image is small: Debian, the node binary, and little else', async () => {
      const sizeOf = async (image: string): Promise<number> =>
        Number((await podman.podman(['image', 'inspect', '--format', '{{.Size}}', image])).stdout);
      const debian = await sizeOf(RUNTIME_BASE_IMAGE);
      const image = await sizeOf(IMAGE);
      const node = statSync(realpathSync(process.execPath)).size;
      const added = image - debian - node;
      console.log(
        `image size: ${(image / 1e6).toFixed(1)} MB = Debian ${(debian / 1e6).toFixed(1)} MB + node ${(node / 1e6).toFixed(1)} MB + ${(added / 1e6).toFixed(1)} MB (tools, node_modules, dist)`,
      );
      // Tools from apt (~19 MB) plus production node_modules and dist (~11 MB); npm, Node's headers,
      // dev dependencies or the compiler toolchain leaking in would add 20 to hundreds.
      expect(added).toBeLessThan(45e6);
      const labels = JSON.parse((await podman.podman(['image', 'inspect', '--format', '{{json .Config.Labels}}', IMAGE])).stdout) as Record<
        string,
        string
      >;
      expect(labels['org.opencontainers.image.revision']).toBe(revision);
    });

    test('runs with host network and PID namespace and four capabilities, and reports the lab', async () => {
      port = await freePort();
      await podman.podman([
        'run',
        '--detach',
        `--name=${CONTAINER}`,
        ...CONTAINER_RUN_OPTIONS,
        `--env=NETNS_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:${port}/healthz`,
        IMAGE,
        `--web.listen-address=127.0.0.1:${port}`,
        labOnly,
      ]);
      const series = await eventually(30_000, () => scrape(port));

      expect(select(series, 'netns_info', { netns: router, kind: 'qrouter' })).toHaveLength(1);
      expect(select(series, 'netns_network_receive_bytes_total', { netns: router, device: 'qr-ctr0' })).toHaveLength(1);
      expect(
        select(series, 'netns_iptables_rule_packets_total', { netns: router, backend: 'nft', chain: 'INPUT', comment: 'ctr nft' }),
      ).toHaveLength(1);
      expect(
        select(series, 'netns_iptables_rule_packets_total', { netns: router, backend: 'legacy', chain: 'FORWARD', target: 'DROP' }),
      ).toHaveLength(1);
      expect(successOf(series, router)).toEqual(EVERY_COLLECTOR_OK);
      const heldName = `net:[${held.inode}]`;
      expect(successOf(series, heldName)).toEqual(EVERY_COLLECTOR_OK);

      const [buildInfo] = select(series, 'netns_exporter_build_info');
      expect(buildInfo?.labels).toEqual({ version: packageVersion, revision, nodejs_version: process.version });
      // The default backend (auto) is the native reader exactly when the image carries it.
      const logs = await podman.podman(['logs', CONTAINER]);
      expect(logs.all).toContain('"backend":"native"');
    });

    test('a namespace created after the container started is seen (rslave propagation)', async () => {
      const late = await lab.addNamespace('late');
      await lab.vethPair({ ns: late, dev: 'late0' }, { ns: late, dev: 'late1' });
      const series = await eventually(15_000, async () => {
        const current = await scrape(port);
        expect(select(current, 'netns_network_receive_bytes_total', { netns: late, device: 'late0' })).toHaveLength(1);
        return current;
      });
      expect(successOf(series, late)).toEqual(EVERY_COLLECTOR_OK);
    });

    test('the HEALTHCHECK probes /healthz', async () => {
      const healthcheck = JSON.parse(
        (await podman.podman(['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', IMAGE])).stdout,
      ) as { Test?: string[] };
      expect(healthcheck.Test?.join(' ')).toContain('NETNS_EXPORTER_HEALTHCHECK_URL');
      // `podman healthcheck run` runs the image's check inside the container now (no systemd timer needed).
      const healthy = await podman.podmanResult(['healthcheck', 'run', CONTAINER]);
      expect(healthy.exitCode, healthy.all).toBe(0);
      // The same check against a port nothing listens on must fail, or it proves nothing.
      const wrongPort = await freePort();
      const probe = await podman.podmanResult([
        'exec',
        `--env=NETNS_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:${wrongPort}/healthz`,
        CONTAINER,
        'node',
        '-e',
        healthcheck.Test!.at(-1)!,
      ]);
      expect(probe.exitCode).toBe(1);
    });

    test('the native reader is compiled into the image when native/ is in the context', async () => {
      const loaded = await podman.podmanResult([
        'run',
        '--rm',
        '--network=none',
        '--entrypoint=node',
        IMAGE,
        '-e',
        "const addon = require('/opt/netns-exporter/native/build/Release/netns_reader.node'); console.log(Object.keys(addon).sort().join(','))",
      ]);
      expect(loaded.exitCode, loaded.all).toBe(0);
      expect(loaded.stdout).toContain('createPool');
    });

    test('SIGTERM (podman stop) ends it cleanly and quickly', async () => {
      const started = performance.now();
      await podman.podman(['stop', '--time=10', CONTAINER]);
      const seconds = (performance.now() - started) / 1000;
      const exitCode = Number((await podman.podman(['inspect', '--format', '{{.State.ExitCode}}', CONTAINER])).stdout);
      const logs = await podman.podman(['logs', CONTAINER]);
      // Not killed after the 10 s grace (exit 137): tini passed SIGTERM on and the exporter exited 0.
      expect(exitCode).toBe(0);
      expect(seconds).toBeLessThan(5);
      expect(logs.all).toContain('shutting down');
    });

    test(
      'without native/ in the context the image still builds and reports the lab with the exec reader',
      async () => {
        const ignoreFile = join(podman.dir, 'dockerignore-without-native');
        await writeFile(ignoreFile, `${readFileSync(join(repoRoot, '.dockerignore'), 'utf8')}\nnative/\n`);
        await timed('podman build without native/', () => build(IMAGE_WITHOUT_NATIVE, ignoreFile));
        const listing = await podman.podman([
          'run',
          '--rm',
          '--network=none',
          '--entrypoint=ls',
          IMAGE_WITHOUT_NATIVE,
          '-A',
          '/opt/netns-exporter/native/build/Release',
        ]);
        expect(listing.stdout.trim()).toBe('');
        // auto must fall back to the exec reader by itself.
        const once = await podman.podman(['run', '--rm', ...CONTAINER_RUN_OPTIONS, IMAGE_WITHOUT_NATIVE, '--once', labOnly]);
        const series = parseExposition(once.stdout);
        expect(successOf(series, router)).toEqual(EVERY_COLLECTOR_OK);
        expect(select(series, 'netns_network_receive_bytes_total', { netns: router, device: 'qr-ctr0' })).toHaveLength(1);
      },
      15 * MINUTE,
    );
  },
);
