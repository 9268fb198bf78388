// Slow or broken tools: a stand-in iptables-nft-save first on the exporter's PATH hangs, crashes,
// prints garbage or is missing, each in one namespace of its own (it looks at which namespace it runs
// in), and is the real tool everywhere else. The scrape must still finish in --collector.timeout plus
// a little, mark only that namespace's iptables collector as failed, say why in a warn line, and
// leave no process behind.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select, valueOf } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { logLines, WARN } from './exporter-logs.js';
import { descendantsOf, eventually, processesMentioning } from './process-tree.js';
import { createStandIns, realTool, shellQuote, type StandIns } from './stand-in-tools.js';

const TIMEOUT_MS = 2000;
// Spawning a few processes per namespace on a busy 2-core machine; an unbounded wait would be seconds.
const MARGIN_MS = 1500;

/** What the stand-in does in a namespace, and what the warn line must then say. */
const FAULTS = {
  // Hangs as one process: the per-tool `timeout` kills it, the rest of the namespace is still read.
  hang: {
    script: (s: StandIns) => `exec ${shellQuote(`${s.dir}/sleep-forever`)} 86400`,
    reason: /iptables-nft-save -c killed after \d+ ms/,
  },
  // Hangs in a child that keeps the output pipes open after the tool itself is killed: only the
  // read's deadline (a kill of its whole process group) ends it.
  'hang-child': {
    script: (s: StandIns) => `trap '' TERM INT HUP\n${shellQuote(`${s.dir}/sleep-forever`)} 86400 &\nwait`,
    reason: /timeout: read killed after \d+ ms|killed after \d+ ms/,
  },
  crash: { script: () => 'ulimit -c 0\nkill -SEGV $$', reason: /killed by signal 11/ },
  garbage: {
    script: () => `printf '%s\\n' '*filter' ':INPUT ACCEPT [1:2]' 'Segmentation fault' '\\x00\\x01 [x:y] -A' 'COMMIT'`,
    reason: /parse: .*iptables-save line \d+/,
  },
  missing: { script: () => 'exec /nonexistent/iptables-nft-save "$@"', reason: /not found or not executable/ },
} as const;
type Fault = keyof typeof FAULTS;
const FAULT_NAMES = Object.keys(FAULTS) as Fault[];

describe.skipIf(skipUnlessRoot('slow and broken tool tests'))('slow or broken iptables-nft-save', () => {
  let lab: NetnsLab;
  let standIns: StandIns;
  let exporter: ExporterProcess | undefined;
  const broken = new Map<Fault, string>();
  let healthy: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('tools');
    standIns = await createStandIns();
    lab.onCleanup(() => standIns.remove());
    healthy = [await lab.addNamespace('healthy-a'), await lab.addNamespace('healthy-b')];
    const cases: string[] = [];
    for (const fault of FAULT_NAMES) {
      const name = await lab.addNamespace(fault);
      broken.set(fault, name);
      cases.push(`  'net:[${statSync(`/run/netns/${name}`).ino}]')\n${FAULTS[fault].script(standIns)}\n    ;;`);
    }
    await lab.run(healthy[0] as string, ['iptables', '-A', 'INPUT', '-m', 'comment', '--comment', 'healthy', '-j', 'ACCEPT']);
    await standIns.alias('sleep-forever', realTool('sleep'));
    await standIns.script(
      'iptables-nft-save',
      // /proc/self is readlink here, which runs in the namespace the tool was started in.
      `case "$(readlink /proc/self/ns/net)" in\n${cases.join('\n')}\nesac\nexec ${shellQuote(realTool('iptables-nft-save'))} "$@"`,
    );
    exporter = await startExporter(
      [`--netns.include=^${lab.prefix}`, `--collector.timeout=${TIMEOUT_MS}ms`, '--collector.backend=exec', '--no-netns.scan-processes'],
      { PATH: standIns.path },
    );
  });
  afterAll(async () => {
    await exporter?.stop();
    await lab?.cleanup();
  });

  test('the scrape finishes in time, only the broken collector fails, and nothing is left running', async () => {
    const running = exporter as ExporterProcess;
    const started = performance.now();
    const response = await fetch(`http://${running.address}/metrics`);
    const body = await response.text();
    const elapsedMs = performance.now() - started;
    console.log(`broken tools: scrape took ${elapsedMs.toFixed(0)} ms with --collector.timeout=${TIMEOUT_MS}ms`);

    expect(response.status).toBe(200);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    const series = parseExposition(body);
    for (const name of healthy) {
      for (const collector of ['interfaces', 'iptables', 'conntrack']) {
        expect(valueOf(series, 'netns_collector_success', { netns: name, collector }), `${name} ${collector}`).toBe(1);
      }
    }
    expect(select(series, 'netns_iptables_rule_packets_total', { netns: healthy[0] as string, comment: 'healthy' })).toHaveLength(1);
    for (const [fault, name] of broken) {
      expect(valueOf(series, 'netns_collector_success', { netns: name, collector: 'iptables' }), fault).toBe(0);
      expect(valueOf(series, 'netns_collector_success', { netns: name, collector: 'interfaces' }), fault).toBe(1);
      expect(select(series, 'netns_network_receive_bytes_total', { netns: name, device: 'lo' }), fault).toHaveLength(1);
      // Only ip6tables-nft-save of this namespace still answered: no IPv4 series, nothing half-parsed.
      expect(select(series, 'netns_iptables_chain_rules', { netns: name, family: 'ipv4' }), fault).toEqual([]);
    }
    // A single hung process costs only its own request: conntrack, read after it, is still there.
    for (const fault of ['hang', 'crash', 'garbage', 'missing'] as const) {
      expect(valueOf(series, 'netns_collector_success', { netns: broken.get(fault) as string, collector: 'conntrack' }), fault).toBe(1);
    }

    const warnings = logLines(running.logs()).filter((line) => line.level === WARN && line.msg === 'namespace collection failed');
    for (const [fault, name] of broken) {
      const lines = warnings.filter((line) => line.netns === name);
      expect(lines, `warn lines for ${fault}`).toHaveLength(1);
      const failures = (lines[0]?.failures as string[]).join('\n');
      expect(failures, fault).toMatch(/^iptables: /m);
      expect(failures, fault).toMatch(FAULTS[fault].reason);
    }
    for (const name of healthy) expect(warnings.filter((line) => line.netns === name)).toEqual([]);

    const pid = running.child.pid as number;
    const clean = await eventually(() => descendantsOf(pid).length === 0 && processesMentioning(standIns.dir).length === 0, 2000);
    expect(clean ? [] : [...descendantsOf(pid), ...processesMentioning(standIns.dir)]).toEqual([]);
  });
});
