// The HA history against the real thing: a real router namespace `qrouter-<uuid>`, its state file in
// a temporary ha_confs directory written as the L3 agent writes it (open for writing, truncate, the
// role, no newline), and the built exporter serving /metrics with each backend. Scrape after scrape,
// with the role flipped, rewritten the same (what an agent restart does) and the namespace deleted and
// made again, netns_router_ha_changes_total and ..._last_change_timestamp_seconds must be what the
// file's writes say: the count of role changes, and the mtime (stat) of the write that changed it.

import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

const BACKENDS = ['exec', 'native'] as const;

describe.skipIf(skipUnlessRoot('HA history kernel tests'))('HA history from real state files', () => {
  let lab: NetnsLab;
  let router: { readonly name: string; readonly id: string };
  let haConfs: string;
  let stateFile: string;
  const exporters = new Map<(typeof BACKENDS)[number], ExporterProcess>();

  beforeAll(async () => {
    lab = await createNetnsLab('ha-hist');
    haConfs = await mkdtemp(join(tmpdir(), 'nxt-ha-confs-'));
    lab.onCleanup(() => rm(haConfs, { recursive: true, force: true }));
    router = await lab.addNeutronNamespaceWithId('qrouter');
    await mkdir(join(haConfs, router.id));
    stateFile = join(haConfs, router.id, 'state');
    await writeFile(stateFile, 'backup');
    for (const backend of BACKENDS) {
      const exporter = await startExporter([
        `--collector.backend=${backend}`,
        `--neutron.ha-confs-dir=${haConfs}`,
        `--netns.include=^qrouter-${router.id}$`,
      ]);
      exporters.set(backend, exporter);
      lab.onCleanup(async () => {
        await exporter.stop();
      });
    }
  }, 60_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  /** The file's mtime as the kernel keeps it, in seconds. */
  const written = async (): Promise<number> => Number((await stat(stateFile, { bigint: true })).mtimeNs) / 1e9;

  /** The router's HA series in one scrape of each backend's exporter. */
  async function scrapeEach(): Promise<Map<string, { changes?: number; changed?: number; primary?: number; success?: number }>> {
    const seen = new Map<string, { changes?: number; changed?: number; primary?: number; success?: number }>();
    for (const [backend, exporter] of exporters) {
      const response = await fetch(`http://${exporter.address}/metrics`);
      expect(response.status).toBe(200);
      const series = parseExposition(await response.text());
      const one = (name: string, labels: Record<string, string> = {}) => {
        const found = select(series, name, { netns: router.name, ...labels });
        expect(found.length, `${backend}: ${name}`).toBeLessThanOrEqual(1);
        return found[0]?.value;
      };
      seen.set(backend, {
        changes: one('netns_router_ha_changes_total', { id: router.id }),
        changed: one('netns_router_ha_last_change_timestamp_seconds', { id: router.id }),
        primary: one('netns_router_ha_state', { id: router.id, state: 'primary' }),
        success: one('netns_collector_success', { collector: 'neutron_ha' }),
      });
    }
    return seen;
  }

  /** Writes the role as the agent does, making sure the mtime moves (the clock the kernel stamps with is coarse). */
  async function agentWrites(role: string): Promise<number> {
    const before = await written();
    for (let tries = 0; tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await writeFile(stateFile, role);
      const after = await written();
      if (after !== before) return after;
    }
    throw new Error('the state file mtime did not move in 1 s');
  }

  const expectEach = async (expected: { changes: number; changed: number; primary: number }) => {
    for (const [backend, seen] of await scrapeEach()) expect(seen, backend).toEqual({ ...expected, success: 1 });
  };

  test('first sight, flips, a rewrite of the same role, and a namespace made again', async () => {
    const first = await written();
    await expectEach({ changes: 0, changed: first, primary: 0 });
    await expectEach({ changes: 0, changed: first, primary: 0 }); // unchanged scrape after scrape

    let changes = 0;
    let changed = first;
    for (const role of ['primary', 'backup', 'primary', 'backup', 'primary']) {
      changed = await agentWrites(role);
      changes++;
      await expectEach({ changes, changed, primary: role === 'primary' ? 1 : 0 });
    }

    // the agent restarts and writes the role it finds: the mtime moves, the change time does not
    const rewritten = await agentWrites('primary');
    expect(rewritten).toBeGreaterThan(changed);
    await expectEach({ changes, changed, primary: 1 });

    // the old spelling of the same role is no change either; a real one still counts
    await agentWrites('master');
    await expectEach({ changes, changed, primary: 1 });
    changed = await agentWrites('backup');
    changes++;
    await expectEach({ changes, changed, primary: 0 });

    // the namespace goes: its series and its history go with it; made again, it is seen afresh
    await lab.deleteNamespace(router.name);
    for (const [backend, seen] of await scrapeEach()) expect(seen, backend).toEqual({});
    router = await lab.addNeutronNamespaceWithId('qrouter', router.id);
    await expectEach({ changes: 0, changed: await written(), primary: 0 });
  }, 60_000);
});
