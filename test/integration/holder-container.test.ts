// netns_info's container_id for a namespace held by a real container: a Podman container (runc,
// cgroupfs manager, in a private podman environment) with a network namespace of its own and no
// interface, whose only process is sleep from a root filesystem made here (no image, no registry).
// The built exporter, both backends, must name that namespace's holder `sleep` and give the id podman
// itself reports.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { builtMain } from '../support/built.js';
import { parseExposition, select } from '../support/exposition.js';
import { skipUnlessRoot } from '../support/netns-lab.js';
import { createPrivatePodman, missingTools, type PrivatePodman } from '../packaging/private-podman.js';

const backends = ['exec', ...(loadNativeAddon().ok ? ['native'] : [])];

describe.skipIf(skipUnlessRoot('holder of a container namespace (podman)'))('netns_info of a namespace a container holds', () => {
  let podman: PrivatePodman;
  let rootfs: string;
  let containerId: string;
  let inode: string;

  beforeAll(async () => {
    const missing = await missingTools();
    if (missing.length > 0) throw new Error(`this test needs ${missing.join(', ')}: apt-get install them (.ci/run does)`);
    // a root filesystem with sleep and the libraries it links
    rootfs = mkdtempSync(join(tmpdir(), 'nxt-holder-rootfs-'));
    const libraries = [...(await execa('ldd', ['/usr/bin/sleep'])).stdout.matchAll(/(\/\S+)/g)].map((match) => match[1] as string);
    const files = ['/usr/bin/sleep', ...libraries];
    for (const file of files) {
      mkdirSync(join(rootfs, dirname(file)), { recursive: true });
      copyFileSync(file, join(rootfs, file));
    }
    podman = await createPrivatePodman();
    containerId = (await podman.podman(['run', '-d', '--network', 'none', '--rootfs', rootfs, '/usr/bin/sleep', '600'])).stdout.trim();
    const pid = (await podman.podman(['inspect', '-f', '{{.State.Pid}}', containerId])).stdout.trim();
    inode = /^net:\[(\d+)\]$/.exec((await execa('readlink', [`/proc/${pid}/ns/net`])).stdout)?.[1] ?? '';
  }, 120_000);

  afterAll(async () => {
    await podman?.cleanup();
    if (rootfs) rmSync(rootfs, { recursive: true, force: true });
  });

  test.each(backends)('%s: holder sleep and the container id podman reports, no pod', async (backend) => {
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);
    const netns = `net:[${inode}]`;
    const { stdout } = await execa('node', [builtMain, '--once', `--collector.backend=${backend}`, `--netns.include=^net:\\[${inode}\\]$`]);
    const parsed = parseExposition(stdout);
    expect(select(parsed, 'netns_info', { netns }).map((series) => series.labels)).toEqual([
      { netns, kind: 'other', id: '', holder: 'sleep', container_id: containerId },
    ]);
    // a container namespace is of no Neutron kind: no process expected, and sleep is no configured name
    expect(select(parsed, 'netns_processes', { netns })).toEqual([]);
    expect(select(parsed, 'netns_collector_success', { netns, collector: 'processes' })[0]?.value).toBe(1);
  });
});
