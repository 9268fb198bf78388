// "Same ruleset, new counters" for the iptables collector must never change what it reports: on
// captured netlink and x_tables bytes, with counters rewritten and with a rule changed, a scrape
// refilled from the last one equals a fresh parse. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { IptablesTable } from '../../src/model/records/iptables.js';
import { iptablesCollector } from '../../src/collectors/iptables.js';
import { readCounter, viewOf } from '../../src/parsers/binary-counters.js';
import { parseNftablesRuleset } from '../../src/parsers/netlink/nftables-ruleset.js';
import { parseXtablesEntries } from '../../src/parsers/netlink/xtables-entries.js';
import type { Reading, Readings } from '../../src/readers/reader.js';
import { iptablesLegacyIpv4Source, iptablesLegacyIpv6Source } from '../../src/sources/iptables-legacy.js';
import { iptablesNftIpv4Source, iptablesNftIpv6Source } from '../../src/sources/iptables-nft.js';
import type { AnySource } from '../../src/sources/source.js';
import { collectorRuns, type CollectorRun } from '../support/collector-runs.js';
import { nativeReading, nativeReadings } from '../support/native-readings.js';

const fixtureDir = new URL('../fixtures/netlink/', import.meta.url);
const ALL = [iptablesNftIpv4Source, iptablesNftIpv6Source, iptablesLegacyIpv4Source, iptablesLegacyIpv6Source];
const absent: Reading = { ok: false, error: { kind: 'not-present', detail: 'not in this test' } };

const cases: { source: AnySource; file: string; nft: boolean; bigEndian: boolean; parse: (data: Buffer) => { ok: boolean } }[] = [
  { source: iptablesNftIpv4Source, file: 'router-nft-ipv4.nfnetlink.bin', nft: true, bigEndian: true, parse: parseNftablesRuleset },
  { source: iptablesNftIpv6Source, file: 'router-nft-ipv6.nfnetlink.bin', nft: true, bigEndian: true, parse: parseNftablesRuleset },
  { source: iptablesLegacyIpv4Source, file: 'router-legacy-ipv4.xt-entries.bin', nft: false, bigEndian: false, parse: parseXtablesEntries },
  { source: iptablesLegacyIpv6Source, file: 'router-legacy-ipv6.xt-entries.bin', nft: false, bigEndian: false, parse: parseXtablesEntries },
];

/** The native reader's answer for one source, the others absent. */
function readings(source: AnySource, data: Buffer): Readings {
  return new Map(ALL.map((s, key) => [s, s === source ? nativeReading(s, data, key) : absent]));
}

function lines(run: CollectorRun): string[] {
  expect(run.failures).toEqual([]);
  return run.lines;
}

/** One scrape with nothing kept. */
const fresh = (given: Readings) => collectorRuns([iptablesCollector]).run(given);

function tablesOf(parse: (data: Buffer) => unknown, data: Buffer): IptablesTable[] {
  const result = parse(data) as { ok: true; value: IptablesTable[] };
  expect(result.ok).toBe(true);
  return result.value;
}

function writeCounter(data: Buffer, offset: number, value: bigint, bigEndian: boolean): void {
  if (bigEndian) data.writeBigUInt64BE(value, offset);
  else data.writeBigUInt64LE(value, offset);
}

describe.each(cases)('$file', ({ source, file, nft, bigEndian, parse }) => {
  const original = readFileSync(new URL(file, fixtureDir));

  test('new counters, same ruleset: counters read in place, label rows reused, output as a fresh parse', () => {
    const runs = collectorRuns([iptablesCollector]);
    const first = runs.run(readings(source, original));
    const changed = Buffer.from(original);
    let n = 0n;
    for (const chain of tablesOf(parse, original).flatMap((table) => table.chains)) {
      for (const at of [chain.policyCountersAt, ...chain.rules.map((rule) => rule.countersAt)]) {
        if (at === undefined) continue;
        writeCounter(changed, at.packets, 1000n + n, bigEndian);
        writeCounter(changed, at.bytes, 2n ** 40n + 7n * n++, bigEndian);
      }
    }
    expect(n).toBeGreaterThan(5n);
    if (nft) changed.writeUInt32LE(0xdeadbeef, 12); // another socket's port id
    const second = runs.run(readings(source, changed));
    const parsed = fresh(readings(source, changed));
    expect(second.ran).toEqual([]);
    expect(lines(second)).toEqual(lines(parsed));
    expect(lines(second)).not.toEqual(lines(first));
    expect(lines(second)).toContain(lines(parsed).find((line) => line.includes(' 1099511627776')));
    second.series.forEach((group, i) => expect(group.labels).toBe(first.series[i]?.labels));
    // the counters really were read from where the first parse found them
    const firstCounter = tablesOf(parse, changed)
      .flatMap((t) => t.chains)
      .flatMap((c) => c.rules)[0];
    if (firstCounter?.countersAt)
      expect(readCounter(viewOf(changed), firstCounter.countersAt.packets, bigEndian)).toBe(firstCounter.packets);
  });

  test('a changed rule (a comment byte) is parsed again, not read in place', () => {
    const runs = collectorRuns([iptablesCollector]);
    const first = runs.run(readings(source, original));
    const commented = tablesOf(parse, original)
      .flatMap((table) => table.chains)
      .flatMap((chain) => chain.rules)
      .find((rule) => rule.comment.length > 0);
    expect(commented, 'the fixture has a commented rule').toBeDefined();
    const changed = Buffer.from(original);
    const at = changed.indexOf(Buffer.from((commented?.comment ?? '').slice(0, 4), 'utf8'));
    expect(at).toBeGreaterThan(0);
    changed[at] = (changed[at] as number) === 0x5a ? 0x59 : 0x5a; // 'Z' (or 'Y')
    const second = runs.run(readings(source, changed));
    expect(second.ran).toEqual(['iptables']);
    expect(lines(second)).toEqual(lines(fresh(readings(source, changed))));
    expect(lines(second)).not.toEqual(lines(first));
  });

  test('the same source read by the other backend, or cut short, is not refilled', () => {
    const runs = collectorRuns([iptablesCollector]);
    const first = runs.run(readings(source, original));
    const truncated = runs.run(readings(source, original.subarray(0, original.length - 8)));
    expect(truncated.ran).toEqual(['iptables']);
    expect(truncated.failures.length + truncated.series.length).toBeGreaterThan(0);
    expect(truncated.lines.join('\n')).not.toBe(lines(first).join('\n'));
    // text from the exec backend under the same source: parsed as text, never read at native offsets
    const asText = runs.run(
      new Map(
        ALL.map((s, key): [AnySource, Reading] => [s, s === source ? { ok: true, data: original, declaration: s.exec, key } : absent]),
      ),
    );
    expect(asText.ran).toEqual(['iptables']);
  });
});

test('one reading for both nft families (the native reader): refilled only while both sources are as they were', () => {
  const unspec = readFileSync(new URL('router-nft-unspec.nfnetlink.bin', fixtureDir));
  const both: Readings = new Map<AnySource, Reading>([
    ...nativeReadings([[[iptablesNftIpv4Source, iptablesNftIpv6Source], unspec]]),
    [iptablesLegacyIpv4Source, absent],
    [iptablesLegacyIpv6Source, absent],
  ]);
  const runs = collectorRuns([iptablesCollector]);
  const first = runs.run(both);
  const families = new Set(lines(first).map((line) => line.split(',')[2]));
  expect(families).toEqual(new Set(['ipv4', 'ipv6']));
  // the same reading again: refilled, same output
  const again = runs.run(both);
  expect(again.ran).toEqual([]);
  expect(lines(again)).toEqual(lines(first));
  // now the same bytes answer IPv4 only: the templates (made for both) must not put IPv6 series back
  const ipv4Only: Readings = new Map(both).set(iptablesNftIpv6Source, absent);
  const second = runs.run(ipv4Only);
  expect(second.ran).toEqual(['iptables']);
  expect(lines(second)).toEqual(lines(fresh(ipv4Only)));
  expect(new Set(lines(second).map((line) => line.split(',')[2]))).toEqual(new Set(['ipv4']));
});
