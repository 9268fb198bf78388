// The interfaces collector's memo ("same links, new counters") must never change what it reports: on
// a captured link dump with every moving field rewritten, the output with last scrape's memo equals a
// fresh parse; a changed MTU, name or operstate is parsed again. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { CollectorOutput } from '../../src/collectors/collector.js';
import { interfacesCollector } from '../../src/collectors/interfaces.js';
import type { NetnsRef } from '../../src/discovery/netns-ref.js';
import { parseRtnetlinkInterfaces, rtnetlinkVolatileRanges } from '../../src/parsers/netlink/rtnetlink-links.js';
import { netlinkHeaderRanges } from '../../src/parsers/reading-shape.js';
import type { Readings } from '../../src/readers/reader.js';
import { seriesLines } from '../support/series-lines.js';

const dump = readFileSync(new URL('../fixtures/netlink/router.rtnetlink-stats.bin', import.meta.url));
const ns: NetnsRef = { name: 'qrouter-links', path: '/run/netns/qrouter-links', dev: 4, inode: 4026532003, kind: 'qrouter', id: 'links', source: 'named' };
const options = { deviceFilter: () => true, iptablesRules: true };

/** As the native reader answers: one dump for both requests. */
function readings(data: Buffer): Readings {
  const reading = { ok: true, format: 'rtnetlink', data } as const;
  return new Map([
    ['net-dev', reading],
    ['links', reading],
  ]);
}

function lines(output: CollectorOutput): string[] {
  expect(output.failures).toEqual([]);
  return seriesLines(output);
}

function parsedOf(data: Buffer) {
  const result = parseRtnetlinkInterfaces(data);
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

  test('moved counters, same links: answered from the memo, output as a fresh parse', () => {
    const first = interfacesCollector.collect(ns, readings(dump), options);
    const moved = withMovedFields(dump);
    const second = interfacesCollector.collect(ns, readings(moved), options, first.memo);
    const fresh = interfacesCollector.collect(ns, readings(moved), options);
    expect(second.memo).toBe(first.memo); // not parsed again
    expect(lines(second)).toEqual(lines(fresh));
    expect(lines(second)).not.toEqual(lines(first));
    expect(lines(second).some((line) => line.startsWith('netns_network_receive_bytes_total') && !line.endsWith(' 0'))).toBe(true);
  });

  test.each([
    ['an MTU', (data: Buffer) => data.indexOf(Buffer.from([0xdc, 0x05, 0x00, 0x00]))], // 1500 in host order
    ['a device name', (data: Buffer) => data.indexOf(Buffer.from(links[1]?.device ?? 'lo'))],
  ])('a changed byte of %s is parsed again, not answered from the memo', (_what, find) => {
    const first = interfacesCollector.collect(ns, readings(dump), options);
    const changed = Buffer.from(dump);
    const at = find(changed);
    expect(at).toBeGreaterThan(0);
    changed[at] = (changed[at] as number) + 1;
    const second = interfacesCollector.collect(ns, readings(changed), options, first.memo);
    expect(second.memo).not.toBe(first.memo);
    expect(lines(second)).toEqual(lines(interfacesCollector.collect(ns, readings(changed), options)));
    expect(lines(second)).not.toEqual(lines(first));
  });

  test('a device filter applies on the memo path as on a parse', () => {
    const onlyFirst = { ...options, deviceFilter: (device: string) => device === links[0]?.device };
    const first = interfacesCollector.collect(ns, readings(dump), onlyFirst);
    const moved = withMovedFields(dump);
    const second = interfacesCollector.collect(ns, readings(moved), onlyFirst, first.memo);
    expect(second.memo).toBe(first.memo);
    expect(lines(second)).toEqual(lines(interfacesCollector.collect(ns, readings(moved), onlyFirst)));
    expect(lines(second).every((line) => line.includes(`,${links[0]?.device}`))).toBe(true);
  });
});
