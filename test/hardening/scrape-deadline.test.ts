// Prometheus sends its scrape timeout with every scrape (X-Prometheus-Scrape-Timeout-Seconds). With
// many namespaces whose iptables-save hangs, --collector.timeout alone would let the scrape run for
// (hung namespaces / parallelism) x timeout; the scrape must instead answer within the client's
// timeout, report the namespaces it could not finish as failed, and leave no process behind.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { descendantsOf, eventually } from './process-tree.js';
import { createStandIns, realTool, shellQuote, type StandIns } from './stand-in-tools.js';

const HUNG = 12;
const CLIENT_TIMEOUT_SECONDS = 3;

describe.skipIf(skipUnlessRoot('scrape deadline tests'))("the scrape fits in Prometheus's scrape timeout", () => {
  let lab: NetnsLab;
  let standIns: StandIns;
  let exporter: ExporterProcess;
  let names: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('deadline');
    standIns = await createStandIns();
    lab.onCleanup(() => standIns.remove());
    names = await lab.addNamespaces(Array.from({ length: HUNG }, (_, i) => `hung-${i}`));
    await standIns.alias('sleep-forever', realTool('sleep'));
    await standIns.script('iptables-nft-save', `exec ${shellQuote(`${standIns.dir}/sleep-forever`)} 86400`);
    exporter = await startExporter(
      [
        `--netns.include=^${lab.prefix}`,
        '--collector.timeout=20s',
        '--collector.parallelism=2',
        '--collector.backend=exec',
        '--no-netns.scan-processes',
      ],
      { PATH: standIns.path },
    );
  });
  afterAll(async () => {
    await exporter?.stop();
    await lab?.cleanup();
  });

  test('answers within the timeout; unfinished namespaces fail, none is lost, nothing keeps running', async () => {
    const started = performance.now();
    const response = await fetch(`http://${exporter.address}/metrics`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': String(CLIENT_TIMEOUT_SECONDS) },
    });
    const series = parseExposition(await response.text());
    const elapsed = (performance.now() - started) / 1000;
    expect(response.status, exporter.logs()).toBe(200);
    expect(elapsed).toBeLessThan(CLIENT_TIMEOUT_SECONDS);
    for (const name of names) {
      expect(select(series, 'netns_info', { netns: name }), name).toHaveLength(1);
      expect(select(series, 'netns_collector_success', { netns: name, collector: 'iptables' })[0]?.value, name).toBe(0);
    }
    expect(await eventually(() => descendantsOf(exporter.child.pid as number).length === 0, 5000)).toBe(true);
  });
});
