// The iptables collector's memo ("same ruleset, new counters") must never change what it reports:
// on captured netlink and x_tables bytes, with counters rewritten and with a rule changed, the output
// with last scrape's memo equals the output of a fresh parse. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { CollectorOutput } from '../../src/collectors/collector.js';
import { iptablesCollector } from '../../src/collectors/iptables.js';
import type { NetnsRef } from '../../src/discovery/netns-ref.js';
import { parseNftablesRuleset } from '../../src/parsers/netlink/nftables-ruleset.js';
import { parseXtablesEntries } from '../../src/parsers/netlink/xtables-entries.js';
import type { IptablesTable } from '../../src/parsers/netlink/iptables-model.js';
import { readCounter, viewOf } from '../../src/parsers/reading-shape.js';
import type { RawFormat, Reading, Readings, ReadRequest } from '../../src/readers/reader.js';
import { seriesLines } from '../support/series-lines.js';

const fixtureDir = new URL('../fixtures/netlink/', import.meta.url);
const ns: NetnsRef = { name: 'qrouter-memo', path: '/run/netns/qrouter-memo', dev: 4, inode: 4026532001, kind: 'qrouter', id: 'memo', source: 'named' };
const options = { deviceFilter: () => true, iptablesRules: true };

const cases: { request: ReadRequest; file: string; format: RawFormat; bigEndian: boolean; parse: (data: Buffer) => { ok: boolean } }[] = [
  { request: 'iptables-nft-ipv4', file: 'router-nft-ipv4.nfnetlink.bin', format: 'nfnetlink', bigEndian: true, parse: parseNftablesRuleset },
  { request: 'iptables-nft-ipv6', file: 'router-nft-ipv6.nfnetlink.bin', format: 'nfnetlink', bigEndian: true, parse: parseNftablesRuleset },
  { request: 'iptables-legacy-ipv4', file: 'router-legacy-ipv4.xt-entries.bin', format: 'xt-entries', bigEndian: false, parse: parseXtablesEntries },
  { request: 'iptables-legacy-ipv6', file: 'router-legacy-ipv6.xt-entries.bin', format: 'xt-entries', bigEndian: false, parse: parseXtablesEntries },
];

function readings(request: ReadRequest, format: RawFormat, data: Buffer): Readings {
  const absent: Reading = { ok: false, error: { kind: 'not-present', detail: 'not in this test' } };
  const all: ReadRequest[] = ['iptables-nft-ipv4', 'iptables-nft-ipv6', 'iptables-legacy-ipv4', 'iptables-legacy-ipv6'];
  return new Map(all.map((r) => [r, r === request ? { ok: true, format, data } : absent]));
}

function lines(output: CollectorOutput): string[] {
  expect(output.failures).toEqual([]);
  return seriesLines(output);
}

function tablesOf(parse: (data: Buffer) => unknown, data: Buffer): IptablesTable[] {
  const result = parse(data) as { ok: true; value: IptablesTable[] };
  expect(result.ok).toBe(true);
  return result.value;
}

function writeCounter(data: Buffer, offset: number, value: bigint, bigEndian: boolean): void {
  if (bigEndian) data.writeBigUInt64BE(value, offset);
  else data.writeBigUInt64LE(value, offset);
}

describe.each(cases)('$file', ({ request, file, format, bigEndian, parse }) => {
  const original = readFileSync(new URL(file, fixtureDir));

  test('new counters, same ruleset: counters read in place, label rows reused, output as a fresh parse', () => {
    const first = iptablesCollector.collect(ns, readings(request, format, original), options);
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
    if (format === 'nfnetlink') changed.writeUInt32LE(0xdeadbeef, 12); // another socket's port id
    const second = iptablesCollector.collect(ns, readings(request, format, changed), options, first.memo);
    const fresh = iptablesCollector.collect(ns, readings(request, format, changed), options);
    expect(lines(second)).toEqual(lines(fresh));
    expect(lines(second)).not.toEqual(lines(first));
    expect(lines(second)).toContain(lines(fresh).find((line) => line.includes(' 1099511627776')));
    second.series.forEach((group, i) => expect(group.labels).toBe(first.series[i]?.labels));
    // the counters really were read from where the first parse found them
    const firstCounter = tablesOf(parse, changed).flatMap((t) => t.chains).flatMap((c) => c.rules)[0];
    if (firstCounter?.countersAt) expect(readCounter(viewOf(changed), firstCounter.countersAt.packets, bigEndian)).toBe(firstCounter.packets);
  });

  test('a changed rule (a comment byte) is parsed again, not read in place', () => {
    const first = iptablesCollector.collect(ns, readings(request, format, original), options);
    const commented = tablesOf(parse, original)
      .flatMap((table) => table.chains)
      .flatMap((chain) => chain.rules)
      .find((rule) => rule.comment.length > 0);
    expect(commented, 'the fixture has a commented rule').toBeDefined();
    const changed = Buffer.from(original);
    const at = changed.indexOf(Buffer.from((commented?.comment ?? '').slice(0, 4), 'utf8'));
    expect(at).toBeGreaterThan(0);
    changed[at] = (changed[at] as number) === 0x5a ? 0x59 : 0x5a; // 'Z' (or 'Y')
    const second = iptablesCollector.collect(ns, readings(request, format, changed), options, first.memo);
    const fresh = iptablesCollector.collect(ns, readings(request, format, changed), options);
    expect(lines(second)).toEqual(lines(fresh));
    expect(lines(second)).not.toEqual(lines(first));
  });

  test('a memo from another format or nothing read is ignored', () => {
    const first = iptablesCollector.collect(ns, readings(request, format, original), options);
    const other = iptablesCollector.collect(ns, readings(request, format, original), options, 'not a memo');
    expect(lines(other)).toEqual(lines(first));
    const truncated = iptablesCollector.collect(ns, readings(request, format, original.subarray(0, original.length - 8)), options, first.memo);
    expect(truncated.failures.length + truncated.series.length).toBeGreaterThan(0);
    expect(lines({ ...truncated, failures: [] }).join('\n')).not.toBe(lines(first).join('\n'));
  });
});

test('one reading for both nft families (the native reader): one parse, and a memo only for the same sources', () => {
  const unspec = readFileSync(new URL('router-nft-unspec.nfnetlink.bin', fixtureDir));
  const absent: Reading = { ok: false, error: { kind: 'not-present', detail: 'not in this test' } };
  const shared: Reading = { ok: true, format: 'nfnetlink', data: unspec };
  const both: Readings = new Map<ReadRequest, Reading>([
    ['iptables-nft-ipv4', shared],
    ['iptables-nft-ipv6', shared],
    ['iptables-legacy-ipv4', absent],
    ['iptables-legacy-ipv6', absent],
  ]);
  const first = iptablesCollector.collect(ns, both, options);
  const families = new Set(lines(first).map((line) => line.split(',')[2]));
  expect(families).toEqual(new Set(['ipv4', 'ipv6']));
  // the same reading again: served from the memo, same output
  expect(lines(iptablesCollector.collect(ns, both, options, first.memo))).toEqual(lines(first));
  // now the same bytes answer IPv4 only: the memo (made for both) must not put IPv6 series back
  const ipv4Only: Readings = new Map(both).set('iptables-nft-ipv6', absent);
  const second = iptablesCollector.collect(ns, ipv4Only, options, first.memo);
  expect(lines(second)).toEqual(lines(iptablesCollector.collect(ns, ipv4Only, options)));
  expect(new Set(lines(second).map((line) => line.split(',')[2]))).toEqual(new Set(['ipv4']));
});
