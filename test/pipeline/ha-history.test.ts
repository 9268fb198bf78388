// The HA history through the pipeline's per-namespace step, scrape after scrape, beside a collector
// that is refilled from its kept reading (interfaces, on a captured link dump): the state file's role
// and mtime of every scrape show in netns_router_ha_changes_total and ..._last_change_timestamp_seconds,
// never frozen by "same shape, new counters". No root: the readings are made here, as the host reader
// makes them (bytes and mtime).

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { interfacesCollector } from '../../src/collectors/interfaces.js';
import { neutronHaCollector } from '../../src/collectors/neutron-ha.js';
import type { Reading, Readings } from '../../src/readers/reader.js';
import { linksSource } from '../../src/sources/links.js';
import { netDevSource } from '../../src/sources/net-dev.js';
import { isHostSource, type AnySource, type HostSource } from '../../src/sources/source.js';
import { collectorRuns, configured, TEST_NS, type CollectorRun } from '../support/collector-runs.js';
import { nativeReading } from '../support/native-readings.js';

const dump = readFileSync(new URL('../fixtures/netlink/router.rtnetlink-stats.bin', import.meta.url));
const ha = configured(neutronHaCollector);
const stateFiles = ((): HostSource<unknown> => {
  const [source] = ha.sources.filter(isHostSource);
  if (source === undefined) throw new Error('neutron_ha reads no host source');
  return source;
})();

/** One scrape's readings: the link dump for interfaces, and the state file (or its absence). */
function readings(file: readonly [content: string, modifiedSeconds: number] | 'missing'): Readings {
  const state: Reading =
    file === 'missing'
      ? { ok: false, error: { kind: 'not-present', detail: 'neutron-ha-state: ENOENT' } }
      : { ok: true, data: Buffer.from(file[0]), declaration: stateFiles.host, key: 1, file: { modifiedSeconds: file[1] } };
  return new Map<AnySource, Reading>([
    [netDevSource, nativeReading(netDevSource, dump, 0)],
    [linksSource, nativeReading(linksSource, dump, 0)],
    [stateFiles, state],
  ]);
}

const labels = `${TEST_NS.name},${TEST_NS.id}`;

/** What a scrape said of the router's HA history: [changes, last change time], or undefined when nothing. */
function history(run: CollectorRun): [number, number] | undefined {
  const value = (name: string) => run.lines.find((line) => line.startsWith(`${name}{${labels}} `))?.split(' ')[1];
  const changes = value('netns_router_ha_changes_total');
  const changed = value('netns_router_ha_last_change_timestamp_seconds');
  if (changes === undefined && changed === undefined) return undefined;
  return [Number(changes), Number(changed)];
}

const role = (run: CollectorRun) => run.lines.find((line) => line.startsWith(`netns_router_ha_state{${labels},`) && line.endsWith(' 1'));

describe('HA history across scrapes', () => {
  test('role changes, rewrites of the same role and empty reads, while interfaces are refilled', () => {
    const runs = collectorRuns([interfacesCollector, ha]);
    const steps: [Parameters<typeof readings>[0], [number, number], string][] = [
      [['backup', 1000.5], [0, 1000.5], 'backup'],
      [['backup', 1000.5], [0, 1000.5], 'backup'],
      [['primary', 1060.25], [1, 1060.25], 'primary'],
      [['primary', 1500], [1, 1060.25], 'primary'], // the agent restarted and wrote the same role
      [['', 1600], [1, 1060.25], 'unknown'], // a read between the agent's truncate and its write
      [['backup', 1600.125], [2, 1600.125], 'backup'],
      [['master\n', 1700], [3, 1700], 'primary'], // before Wallaby, with an operator's newline
    ];
    steps.forEach(([file, expected, state], scrape) => {
      const run = runs.run(readings(file));
      expect(run.failures).toEqual([]);
      expect(run.ran).toEqual(scrape === 0 ? ['interfaces', 'neutron_ha'] : ['neutron_ha']);
      expect(history(run), `scrape ${scrape}`).toEqual(expected);
      expect(role(run)).toBe(`netns_router_ha_state{${labels},${state}} 1`);
    });
  });

  test('a missing or broken file: no HA series (a failure for the broken one), and the history carries on', () => {
    const runs = collectorRuns([interfacesCollector, ha]);
    expect(history(runs.run(readings(['primary', 1000])))).toEqual([0, 1000]);
    expect(history(runs.run(readings('missing')))).toBeUndefined();
    const broken = runs.run(readings(['garbage', 1100]));
    expect(broken.failures.map((failure) => failure.kind)).toEqual(['parse']);
    expect(history(broken)).toBeUndefined();
    // compared with the role last seen, not taken for a first sight
    expect(history(runs.run(readings(['backup', 1200])))).toEqual([1, 1200]);
  });

  test("the history is the cache owner's: another cache (another exporter, or a restart) starts at 0", () => {
    const first = collectorRuns([ha]);
    first.run(readings(['primary', 1000]));
    expect(history(first.run(readings(['backup', 1100])))).toEqual([1, 1100]);
    const second = collectorRuns([ha]);
    expect(history(second.run(readings(['backup', 1100])))).toEqual([0, 1100]);
    expect(history(first.run(readings(['primary', 1200])))).toEqual([2, 1200]);
  });
});
