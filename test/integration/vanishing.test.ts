// Namespaces that disappear mid-scrape: listed by discovery, gone when their turn to be read comes.
// The scrape must still answer, report everyone else, and not count the vanished one as a failure.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { discoverNamespaces } from '../../src/discovery/discover-namespaces.js';
import { createExporter } from '../../src/exporter.js';
import { createExecReader } from '../../src/readers/exec/exec-reader.js';
import { parseExposition, select, valueOf } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

describe.skipIf(skipUnlessRoot('namespace vanishing tests'))('a namespace deleted during a scrape', () => {
  let lab: NetnsLab;
  let names: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('vanish');
    names = await lab.addNamespaces(Array.from({ length: 12 }, (_, i) => `n${String(i).padStart(2, '0')}`));
  });
  afterAll(async () => {
    await lab?.cleanup();
  });

  test('does not fail the scrape; everyone else is reported', async () => {
    const victim = names[names.length - 1] as string;
    const config = parseFlags([`--netns.include=^${lab.prefix}`, '--collector.parallelism=1', '--no-netns.scan-processes'], 'test');
    const exporter = await createExporter({
      config,
      reader: createExecReader({ timeoutMs: 10_000 }),
      logger: pino({ level: 'silent' }),
      build: { version: 'test', revision: 'test', nodejsVersion: process.version },
      // The real discovery, then the victim is deleted before any namespace is read.
      discover: async () => {
        const found = await discoverNamespaces({ netnsDirs: ['/run/netns'], scanProcesses: false, includeHost: false });
        expect(found.namespaces.some((ns) => ns.name === victim)).toBe(true);
        await lab.deleteNamespace(victim);
        return found;
      },
    });
    try {
      const series = parseExposition(await (await exporter.scrape()).text());
      for (const name of names.slice(0, -1)) {
        expect(valueOf(series, 'netns_collector_success', { netns: name, collector: 'interfaces' }), name).toBe(1);
        expect(select(series, 'netns_network_receive_bytes_total', { netns: name, device: 'lo' })).toHaveLength(1);
      }
      expect(series.filter((s) => s.labels.netns === victim)).toEqual([]);
      expect(valueOf(series, 'netns_scrape_vanished_namespaces', {})).toBe(1);
    } finally {
      await exporter.close();
    }
  });
});
