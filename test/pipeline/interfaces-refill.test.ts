// "Same links, new counters" for the interfaces collector must never change what it reports: on a
// captured link dump with every moving field rewritten, a scrape refilled from the last one equals a
// fresh parse; a changed MTU, name or operstate is parsed again. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { interfacesCollector } from '../../src/collectors/interfaces.js';
import { netlinkHeaderRanges } from '../../src/parsers/binary-counters.js';
import { rtnetlinkVolatileRanges } from '../../src/parsers/netlink/rtnetlink-links.js';
import { rtnetlinkInterfaces } from '../support/rtnetlink.js';
import type { Readings } from '../../src/readers/reader.js';
import { linksSource } from '../../src/sources/links.js';
import { netDevSource } from '../../src/sources/net-dev.js';
import { collectorRuns, type CollectorFlagsGiven, type CollectorRun } from '../support/collector-runs.js';
import { nativeReadings } from '../support/native-readings.js';

const dump = readFileSync(new URL('../fixtures/netlink/router.rtnetlink-stats.bin', import.meta.url));

/** As the native reader answers: one dump for both sources. */
function readings(data: Buffer): Readings {
  return nativeReadings([[[netDevSource, linksSource], data]]);
}

function lines(run: CollectorRun): string[] {
  expect(run.failures).toEqual([]);
  return run.lines;
}

/** One scrape with nothing kept. */
const fresh = (data: Buffer, flags: CollectorFlagsGiven = {}) => collectorRuns([interfacesCollector], flags).run(readings(data));

function parsedOf(data: Buffer) {
  const result = rtnetlinkInterfaces(data);
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

/** A copy of the dump with every moving range rewritten: counters as distinct u64s, the rest as a byte pattern. */
function withMovedFields(data: Buffer): Buffer {
  const moved = Buffer.from(data);
  let n = 0;
  for (const [start, end] of [...rtnetlinkVolatileRanges(data), ...netlinkHeaderRanges(data)]) {
    let at = start;
    for (; at + 8 <= end; at += 8) moved.writeBigUInt64LE(BigInt(1_000_003 * ++n), at);
    for (; at < end; at++) moved[at] = (moved[at] as number) ^ 0xa5;
  }
  return moved;
}

describe('link dump memo', () => {
  const { links, countersAt } = parsedOf(dump);

  test('the capture has what the test needs: several links, each with IFLA_STATS64 and IPv6 statistics', () => {
    expect(links.length).toBeGreaterThanOrEqual(2);
    expect(countersAt).toHaveLength(links.length);
    // per link at least: STATS, STATS64, inet6 stats, icmp6 stats, cacheinfo
    expect(rtnetlinkVolatileRanges(dump).length).toBeGreaterThanOrEqual(links.length * 5);
  });

  test('moved counters, same links: refilled, output as a fresh parse', () => {
    const runs = collectorRuns([interfacesCollector]);
    const first = runs.run(readings(dump));
    const moved = withMovedFields(dump);
    const second = runs.run(readings(moved));
    expect(first.ran).toEqual(['interfaces']);
    expect(second.ran).toEqual([]); // not parsed again
    expect(lines(second)).toEqual(lines(fresh(moved)));
    expect(lines(second)).not.toEqual(lines(first));
    expect(lines(second).some((line) => line.startsWith('netns_network_receive_bytes_total') && !line.endsWith(' 0'))).toBe(true);
  });

  test('a refill in which no counter moved hands out the very groups of the last scrape; a moved one is new', () => {
    const runs = collectorRuns([interfacesCollector]);
    runs.run(readings(dump));
    const moved = withMovedFields(dump);
    const second = runs.run(readings(moved));
    // the same bytes again, in a new Buffer: every group is the one of the scrape before
    const again = runs.run(readings(Buffer.from(moved)));
    expect(again.ran).toEqual([]);
    expect(again.series.length).toBe(second.series.length);
    again.series.forEach((group, i) => expect(group).toBe(second.series[i]));
    // one receive counter of the first link moved: only the group holding it is new, and it has the new value
    // IFLA_STATS64 starts with rx_packets
    const at = parsedOf(moved).countersAt[0] ?? -1;
    expect(at).toBeGreaterThan(0);
    const oneMoved = Buffer.from(moved);
    oneMoved.writeBigUInt64LE(oneMoved.readBigUInt64LE(at) + 7n, at);
    const third = runs.run(readings(oneMoved));
    expect(third.ran).toEqual([]);
    expect(lines(third)).toEqual(lines(fresh(oneMoved)));
    const renewed = third.series.filter((group, i) => group !== again.series[i]);
    expect(renewed).toHaveLength(1);
    expect(lines(third)).not.toEqual(lines(again));
  });

  test.each([
    ['an MTU', (data: Buffer) => data.indexOf(Buffer.from([0xdc, 0x05, 0x00, 0x00]))], // 1500 in host order
    ['a device name', (data: Buffer) => data.indexOf(Buffer.from(links[1]?.device ?? 'lo'))],
  ])('a changed byte of %s is parsed again, not refilled', (_what, find) => {
    const runs = collectorRuns([interfacesCollector]);
    const first = runs.run(readings(dump));
    const changed = Buffer.from(dump);
    const at = find(changed);
    expect(at).toBeGreaterThan(0);
    changed[at] = (changed[at] as number) + 1;
    const second = runs.run(readings(changed));
    expect(second.ran).toEqual(['interfaces']);
    expect(lines(second)).toEqual(lines(fresh(changed)));
    expect(lines(second)).not.toEqual(lines(first));
  });

  test('a device filter applies on a refill as on a parse', () => {
    const onlyFirst = { 'device.include': `^${(links[0]?.device ?? '').replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}$` };
    const runs = collectorRuns([interfacesCollector], onlyFirst);
    runs.run(readings(dump));
    const moved = withMovedFields(dump);
    const second = runs.run(readings(moved));
    expect(second.ran).toEqual([]);
    expect(lines(second)).toEqual(lines(fresh(moved, onlyFirst)));
    expect(lines(second).every((line) => line.includes(`,${links[0]?.device}`))).toBe(true);
  });
});
