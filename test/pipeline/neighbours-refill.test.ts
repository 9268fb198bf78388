// "Same entries, new ages" for the neighbor collector: on the captured neighbour dump (devices named
// from the link dump of the same namespace), a scrape whose entries only aged is refilled, not parsed,
// and equals a fresh parse; a changed state, an entry more or a renamed device is collected again.
// No root needed.

import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { describe, expect, test } from 'vitest';
import { neighborCollector } from '../../src/collectors/neighbor.js';
import { netlinkHeaderRanges } from '../../src/parsers/binary-counters.js';
import { forEachNetlinkMessage } from '../../src/parsers/netlink/netlink-messages.js';
import { rtnetlinkNeighbourVolatileRanges } from '../../src/parsers/netlink/rtnetlink-neighbours.js';
import type { Readings } from '../../src/readers/reader.js';
import { linksSource } from '../../src/sources/links.js';
import { neighboursSource } from '../../src/sources/neighbours.js';
import { netDevSource } from '../../src/sources/net-dev.js';
import { collectorRuns, type CollectorRun } from '../support/collector-runs.js';
import { nativeReadings } from '../support/native-readings.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/diagnostics/${name}`, import.meta.url));
const neighbours = fixture('router.neigh.rtnetlink.bin');
const links = fixture('router.links.rtnetlink.bin');

/** As the native reader answers: the link dump for links (and net-dev), the neighbour dump alone. */
function readings(neighbourDump: Buffer, linkDump: Buffer = links): Readings {
  return nativeReadings([
    [[netDevSource, linksSource], linkDump],
    [[neighboursSource], neighbourDump],
  ]);
}

function lines(run: CollectorRun): string[] {
  expect(run.failures).toEqual([]);
  return run.lines;
}

const fresh = (neighbourDump: Buffer, linkDump: Buffer = links) =>
  collectorRuns([neighborCollector]).run(readings(neighbourDump, linkDump));

/** The dump with every entry's cache ages, probe count and message header rewritten. */
function aged(data: Buffer): Buffer {
  const copy = Buffer.from(data);
  for (const [start, end] of [...rtnetlinkNeighbourVolatileRanges(data), ...netlinkHeaderRanges(data)]) {
    for (let at = start; at < end; at++) copy[at] = (copy[at] as number) ^ 0x5a;
  }
  return copy;
}

/** Payload start of each RTM_NEWNEIGH message. */
function neighbourPayloads(data: Buffer): number[] {
  const starts: number[] = [];
  forEachNetlinkMessage(data, (message) => {
    if (message.type === 28) starts.push(message.payloadStart);
    return undefined;
  });
  return starts;
}

describe('neighbour dump memo', () => {
  test('the capture names every device and counts in several states', () => {
    const run = fresh(neighbours);
    expect(lines(run).length).toBeGreaterThanOrEqual(10);
    expect(lines(run).some((line) => line.includes(',qg-diag,ipv4,failed}'))).toBe(true);
  });

  test('aged entries: refilled, output as a fresh parse', () => {
    const runs = collectorRuns([neighborCollector]);
    const first = runs.run(readings(neighbours));
    const moved = aged(neighbours);
    expect(moved.equals(neighbours)).toBe(false);
    const second = runs.run(readings(moved));
    expect(first.ran).toEqual(['neighbor']);
    expect(second.ran).toEqual([]);
    expect(lines(second)).toEqual(lines(first));
    expect(lines(second)).toEqual(lines(fresh(moved)));
  });

  test('a changed state is collected again, with the new counts', () => {
    const runs = collectorRuns([neighborCollector]);
    const first = runs.run(readings(neighbours));
    const changed = Buffer.from(neighbours);
    const at = (neighbourPayloads(changed)[0] ?? 0) + 8; // ndm_state of the first entry
    if (endianness() === 'LE') changed.writeUInt16LE(0x20, at);
    else changed.writeUInt16BE(0x20, at); // NUD_FAILED
    const second = runs.run(readings(changed));
    expect(second.ran).toEqual(['neighbor']);
    expect(lines(second)).toEqual(lines(fresh(changed)));
    expect(lines(second)).not.toEqual(lines(first));
  });

  test('a renamed device (another link dump) is collected again under its new name', () => {
    const runs = collectorRuns([neighborCollector]);
    runs.run(readings(neighbours));
    const renamed = Buffer.from(links);
    const at = renamed.indexOf(Buffer.from('qr-noarp\0'));
    expect(at).toBeGreaterThan(0);
    renamed.write('qr-nearp', at);
    const second = runs.run(readings(neighbours, renamed));
    expect(second.ran).toEqual(['neighbor']);
    expect(lines(second).some((line) => line.includes(',qr-nearp,'))).toBe(true);
    expect(lines(second).some((line) => line.includes(',qr-noarp,'))).toBe(false);
  });
});
