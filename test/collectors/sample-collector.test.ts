// The contributor path, proven: the README's worked example ("Adding a collector") is the sample in
// test/collectors/sample-xfrm/ (a parser, a source and a collector with a flag of its own, with its
// fixture beside them). Registered the way the registry line does it, and given to the very
// functions the exporter uses (parseFlags, createExporter), it gets its --[no-]collector.xfrm
// switch, its own flag with its help, one-line flag errors, netns_collector_success and the
// same-shape refill, and every other line of the exposition stays as it was. No other file edited.

import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { FlagError, parseFlags } from '../../src/cli/flags.js';
import type { CollectorDeclaration } from '../../src/collectors/collector.js';
import { COLLECTORS } from '../../src/collectors/registry.js';
import { createExporter } from '../../src/exporter.js';
import type { Reading, Readings } from '../../src/readers/reader.js';
import type { AnySource } from '../../src/sources/source.js';
import { collectorRuns } from '../support/collector-runs.js';
import { createFixtureReader, fixtureDiscovery, PIPELINE_FIXTURES } from '../support/fixture-reader.js';
import { parseXfrmStat } from './sample-xfrm/proc-net-xfrm-stat.js';
import { xfrmCollector } from './sample-xfrm/xfrm-collector.js';
import { xfrmStatSource } from './sample-xfrm/xfrm-source.js';

const SAMPLE = new URL('./sample-xfrm/', import.meta.url);
const SAMPLE_FIXTURES = new URL('fixtures/', SAMPLE).pathname;
const captured = readFileSync(new URL('fixtures/router/xfrm-stat', SAMPLE));
const ROUTER = 'qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10';

/** The registry with the sample's line added, as src/collectors/registry.ts would have it. */
const REGISTRY: readonly CollectorDeclaration[] = [...COLLECTORS, xfrmCollector];

function flagError(argv: string[]): FlagError {
  try {
    parseFlags(argv, '0.0.0-test', REGISTRY);
  } catch (error) {
    if (error instanceof FlagError) return error;
    throw error;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

async function scrape(registry: readonly CollectorDeclaration[], argv: string[] = []): Promise<string[]> {
  const exporter = await createExporter({
    config: parseFlags([`--neutron.ha-confs-dir=${PIPELINE_FIXTURES}ha_confs`, ...argv], '0.0.0-test', registry),
    reader: createFixtureReader([SAMPLE_FIXTURES]),
    discover: fixtureDiscovery(),
    logger: pino({ level: 'silent' }),
    build: { version: '0.0.0-test', revision: 'test', nodejsVersion: process.version },
    collectors: registry,
  });
  try {
    return (await (await exporter.scrape()).text()).split('\n');
  } finally {
    await exporter.close();
  }
}

/** Lines that differ from scrape to scrape, or count every collector's series: not compared. */
const VOLATILE =
  /^(# (HELP|TYPE) )?(process_|nodejs_|netns_exporter_build_info|netns_scrape_duration_seconds|netns_scrape_collection_duration_seconds|netns_scrape_series)/;
const stable = (lines: readonly string[]): string[] => lines.filter((line) => !VOLATILE.test(line));
const isSample = (line: string): boolean => line.includes('netns_xfrm_') || line.includes('collector="xfrm"');

describe('its parser', () => {
  test('reads the captured file, with where each number sits', () => {
    const result = parseXfrmStat(captured.toString('utf8'));
    if (!result.ok) throw new Error(result.error.detail);
    expect(result.value).toHaveLength(32);
    const noStates = result.value.find((record) => record.statistic === 'XfrmInNoStates');
    expect(noStates?.value).toBe(17);
    expect(captured.toString('latin1').slice(noStates?.at, (noStates?.at ?? 0) + 3)).toBe('17\n');
  });

  test('a value that is no number is a parse error, never a zero', () => {
    const result = parseXfrmStat(readFileSync(new URL('fixtures/broken-value.xfrm-stat', SAMPLE), 'utf8'));
    expect(result).toEqual({ ok: false, error: { kind: 'parse', detail: expect.stringContaining('line 2') } });
  });
});

describe('its flags come from its declaration', () => {
  test('--[no-]collector.xfrm and --xfrm.statistics.exclude are in --help with their help text', () => {
    const help = flagError(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.message).toContain('--collector.xfrm ');
    expect(help.message).toContain('--no-collector.xfrm ');
    expect(help.message).toMatch(/--xfrm\.statistics\.exclude <regex>\s+do not report XFRM statistics whose name/);
  });

  test('on by default, off with --no-collector.xfrm', () => {
    expect(parseFlags([], '0.0.0-test', REGISTRY).collectors).toContain('xfrm');
    expect(parseFlags(['--no-collector.xfrm'], '0.0.0-test', REGISTRY).collectors).not.toContain('xfrm');
  });

  test('a bad value is one line and status 2', () => {
    const error = flagError(['--xfrm.statistics.exclude=(']);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^invalid regular expression for --xfrm\.statistics\.exclude: /);
    expect(error.message).not.toContain('\n');
  });

  test('the registry without it does not know the flag', () => {
    expect(() => parseFlags(['--xfrm.statistics.exclude=x'], '0.0.0-test')).toThrow(/unknown option '--xfrm\.statistics\.exclude=x'/);
  });
});

describe('through the exporter', () => {
  test("its series are the fixture's numbers, its success is reported, and every other line is as it was", async () => {
    const [without, withSample] = await Promise.all([scrape(COLLECTORS), scrape(REGISTRY)]);
    const result = parseXfrmStat(captured.toString('utf8'));
    if (!result.ok) throw new Error(result.error.detail);
    for (const { statistic, value } of result.value) {
      expect(withSample).toContain(`netns_xfrm_errors_total{netns="${ROUTER}",statistic="${statistic}"} ${value}`);
    }
    expect(withSample).toContain('# TYPE netns_xfrm_errors_total counter');
    expect(withSample).toContain(`netns_collector_success{netns="${ROUTER}",collector="xfrm"} 1`);
    // no file in the other namespaces: not present, which is no failure and no series
    expect(withSample.filter((line) => line.startsWith('netns_collector_success') && line.includes('collector="xfrm"'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^netns_collector_success\{netns="qdhcp-[^"]+",collector="xfrm"\} 1$/)]),
    );
    expect(withSample.filter((line) => line.startsWith('netns_xfrm_errors_total') && !line.includes(ROUTER))).toEqual([]);
    expect(stable(withSample).filter((line) => !isSample(line))).toEqual(stable(without));
  });

  test('its own flag shapes what it reports', async () => {
    const lines = await scrape(REGISTRY, ['--xfrm.statistics.exclude=^XfrmOut']);
    const reported = lines.filter((line) => line.startsWith('netns_xfrm_errors_total'));
    expect(reported.length).toBeGreaterThan(10);
    expect(reported.some((line) => line.includes('statistic="XfrmOut'))).toBe(false);
    expect(reported).toContain(`netns_xfrm_errors_total{netns="${ROUTER}",statistic="XfrmInNoStates"} 17`);
  });

  test('a reading of the same words with new numbers is refilled without running it', () => {
    const reading = (data: Buffer): Readings =>
      new Map<AnySource, Reading>([[xfrmStatSource, { ok: true, data, declaration: xfrmStatSource.native, key: 0 }]]);
    const runs = collectorRuns([xfrmCollector]);
    expect(runs.run(reading(captured)).ran).toEqual(['xfrm']);
    const moved = Buffer.from(captured.toString('latin1').replace(/\t17\n/, '\t18\n'), 'latin1');
    const second = runs.run(reading(moved));
    expect(second.ran).toEqual([]);
    expect(second.lines).toContain('netns_xfrm_errors_total{qrouter-runs,XfrmInNoStates} 18');
    expect(second.lines).toEqual(collectorRuns([xfrmCollector]).run(reading(moved)).lines);
  });
});

test("the README's worked example is this sample, word for word", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Adding a collector');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start);
  const section = readme.slice(start, end === -1 ? undefined : end);
  // a block inside a list item is indented as the item is: the code is what follows that indent
  const blocks = [...section.matchAll(/^( *)```ts\n([\s\S]*?)^\1```/gm)].map(([, indent = '', code = '']) =>
    code
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n'),
  );
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  const sample = ['proc-net-xfrm-stat.ts', 'xfrm-source.ts', 'xfrm-collector.ts']
    .map((file) => readFileSync(new URL(file, SAMPLE), 'utf8'))
    .join('\n');
  for (const block of blocks) expect(sample, block).toContain(block);
});
