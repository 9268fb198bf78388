// "Same text, new numbers" must never change what is reported: on captured /proc/net/snmp, netstat
// and snmp6, with every number rewritten (longer, shorter, negative), a scrape refilled from the
// last one equals a fresh parse; a changed word or layout is parsed again. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { netstatCollector } from '../../src/collectors/netstat.js';
import { keepTextShape, readTextNumbers, type KeptTextShape } from '../../src/pipeline/text-shape.js';

function textNumbers(kept: KeptTextShape, data: Buffer): Float64Array | undefined {
  const into = new Float64Array(kept.numbers);
  return readTextNumbers(kept, data, into) ? into : undefined;
}
import type { Readings } from '../../src/readers/reader.js';
import { netstatFileSource, snmp6Source, snmpSource } from '../../src/sources/netstat.js';
import { collectorRuns, TEST_NS } from '../support/collector-runs.js';
import { nativeReadings } from '../support/native-readings.js';

const diagnostics = (name: string): Buffer => readFileSync(new URL(`../fixtures/diagnostics/${name}`, import.meta.url));
const files = { snmp: diagnostics('router.snmp.txt'), netstat: diagnostics('router.netstat.txt'), snmp6: diagnostics('router.snmp6.txt') };

function readings(texts: { snmp: Buffer; netstat: Buffer; snmp6: Buffer }): Readings {
  return nativeReadings([
    [[snmpSource], texts.snmp],
    [[netstatFileSource], texts.netstat],
    [[snmp6Source], texts.snmp6],
  ]);
}

/** Every numeric word replaced: the n-th by a number of another length, some negative. */
function renumbered(text: Buffer, seed: number): Buffer {
  let n = seed;
  return Buffer.from(
    text.toString('latin1').replace(/(?<=^|\s)-?\d+(?=\s|$)/g, () => String(n++ % 7 === 0 ? -(n * 13) : n * 1_000_003 + (n % 3) * 2 ** 40)),
  );
}

/** Every number of the text changed to another of the same length (so the text keeps its length). */
function renumberedSameLength(text: Buffer): Buffer {
  return Buffer.from(
    text.toString('latin1').replace(/(?<=^|\s)\d+(?=\s|$)/g, (digits) => String((Number(digits[0]) + 1) % 10) + digits.slice(1)),
  );
}

const options = { 'collector.netstat.fields': 'Ip_.*|Tcp_.*|TcpExt_.*|Ip6_.*|Icmp6_.*|Udp_.*' };
const fresh = (texts: typeof files) => collectorRuns([netstatCollector], options).run(readings(texts));

describe('text shape', () => {
  test('a renumbered text has the kept shape, and its numbers in order', () => {
    const { kept, positions } = keepTextShape(files.snmp, 0);
    const moved = renumbered(files.snmp, 5);
    const numbers = textNumbers(kept, moved);
    expect(numbers).toBeDefined();
    expect(Array.from(numbers ?? [])).toEqual(
      moved
        .toString()
        .match(/(?<=^|\s)-?\d+(?=\s|$)/g)
        ?.map(Number),
    );
    expect(kept.numbers).toBeGreaterThan(50);
    // where the kept text's numbers start: each position begins the number the parse would read there
    const text = files.snmp.toString('latin1');
    expect(positions.length).toBe(kept.numbers);
    expect(Array.from(positions, (at) => Number(/^-?\d+/.exec(text.slice(at))?.[0]))).toEqual(
      text.match(/(?<=^|\s)-?\d+(?=\s|$)/g)?.map(Number),
    );
  });

  test('the kept bytes are a copy: a reader reusing its buffer does not change them', () => {
    const data = Buffer.from(files.snmp);
    const { kept } = keepTextShape(data, 0);
    data.fill(0x20);
    expect(kept.bytes.equals(files.snmp)).toBe(true);
  });

  test.each([
    ['a changed name', (text: string) => text.replace('ForwDatagrams', 'ForwDatagramz')],
    ['a number where a word was', (text: string) => text.replace('Forwarding', '17')],
    ['a word where a number was', (text: string) => text.replace(/^(Ip: )\d+/m, '$1x')],
    ['another padding', (text: string) => text.replace(' ', '  ')],
    ['a line more', (text: string) => `${text}Ip: 1\n`],
    ['cut short', (text: string) => text.slice(0, -5)],
  ])('%s is another shape', (_what, edit) => {
    const { kept } = keepTextShape(files.snmp, 0);
    expect(textNumbers(kept, Buffer.from(edit(files.snmp.toString())))).toBeUndefined();
  });
});

describe('netstat collector', () => {
  test('renumbered files: refilled without running the collector, output as a fresh parse', () => {
    const runs = collectorRuns([netstatCollector], options);
    const first = runs.run(readings(files));
    expect(first.ran).toEqual(['netstat']);
    for (const seed of [3, 11]) {
      const moved = {
        snmp: renumbered(files.snmp, seed),
        netstat: renumbered(files.netstat, seed + 1),
        snmp6: renumbered(files.snmp6, seed + 2),
      };
      const again = runs.run(readings(moved));
      expect(again.ran).toEqual([]);
      expect(again.failures).toEqual([]);
      expect(again.lines).toEqual(fresh(moved).lines);
      expect(again.lines).not.toEqual(first.lines);
      expect(again.lines.some((line) => / -\d+$/.test(line))).toBe(true);
    }
  });

  test('a text byte for byte the last one hands out the last series; the next change still reads its numbers', () => {
    const runs = collectorRuns([netstatCollector], options);
    runs.run(readings(files));
    const moved = { snmp: renumbered(files.snmp, 3), netstat: renumbered(files.netstat, 4), snmp6: files.snmp6 };
    const second = runs.run(readings(moved));
    // the same bytes again (new Buffers, as a reader hands them out): the same series objects
    const copy = { snmp: Buffer.from(moved.snmp), netstat: Buffer.from(moved.netstat), snmp6: Buffer.from(moved.snmp6) };
    const third = runs.run(readings(copy));
    expect(third.ran).toEqual([]);
    expect(third.lines).toEqual(fresh(moved).lines);
    expect(third.series).toEqual(second.series);
    third.series.forEach((group, i) => expect(group).toBe(second.series[i]));
    // after the unchanged scrape, a renumbered text is compared with the bytes last read
    const later = { ...moved, snmp: renumbered(files.snmp, 29) };
    const fourth = runs.run(readings(later));
    expect(fourth.ran).toEqual([]);
    expect(fourth.lines).toEqual(fresh(later).lines);
    expect(fourth.lines).not.toEqual(third.lines);
    // the same bytes in a scrape that ended without rotating the cache, then once more: the bytes
    // kept are that scrape's, not those of the series kept, so the numbers are read again
    const loose = { ...later, snmp: renumbered(files.snmp, 31) };
    runs.runWithoutRotating(readings(loose));
    const after = runs.run(readings(loose));
    expect(after.lines).toEqual(fresh(loose).lines);
    // and back to the very first text: not the last one, so its numbers are read, not assumed
    const fifth = runs.run(readings(files));
    expect(fifth.ran).toEqual([]);
    expect(fifth.lines).toEqual(fresh(files).lines);
  });

  test("namespaces with the same text share its bytes; one whose text changes never writes the other's", () => {
    const runs = collectorRuns([netstatCollector], options);
    const other = { ...TEST_NS, name: 'qrouter-other', inode: TEST_NS.inode + 1 };
    const moved = { ...files, snmp: renumbered(files.snmp, 3) };
    const [a, b] = [files, moved];
    // scrape 1: both read text a (kept once, shared)
    runs.runWithoutRotating(readings(a));
    runs.run(readings(a), other);
    // scrape 2: the other namespace reads a again, then the first one's text changes (same length, so
    // its bytes would be written in place were they its own)
    const lengthsEqual = renumberedSameLength(files.snmp);
    const c = { ...files, snmp: lengthsEqual };
    const freshOther = (texts: typeof files) => collectorRuns([netstatCollector], options, other).run(readings(texts));
    expect(runs.runWithoutRotating(readings(a), other).lines).toEqual(freshOther(a).lines);
    expect(runs.run(readings(c)).lines).toEqual(fresh(c).lines);
    // scrape 3: the other namespace now reads what the first read in scrape 2: its numbers, not its last series
    const third = runs.run(readings(c), other);
    expect(third.lines).toEqual(freshOther(c).lines);
    expect(third.lines).not.toEqual(freshOther(a).lines);
    expect(runs.run(readings(b)).lines).toEqual(fresh(b).lines);
  });

  test('a changed word is parsed again', () => {
    const runs = collectorRuns([netstatCollector], options);
    runs.run(readings(files));
    const changed = { ...files, netstat: Buffer.from(files.netstat.toString().replace('ListenDrops', 'ListenDropz')) };
    const second = runs.run(readings(changed));
    expect(second.ran).toEqual(['netstat']);
    expect(second.lines).toEqual(fresh(changed).lines);
    expect(second.lines.some((line) => line.startsWith('netns_netstat_TcpExt_ListenDropz'))).toBe(true);
  });

  test('one file of another shape, another renumbered: every counter still moves on the refills after', () => {
    // scrape 2 parses again (snmp6 has a line more) while snmp keeps its words: snmp's counters must
    // be found in the text read then, whose numbers have other lengths than the kept one's
    const runs = collectorRuns([netstatCollector], options);
    runs.run(readings(files));
    const grown = { ...files, snmp: renumbered(files.snmp, 3), snmp6: Buffer.from(`${files.snmp6.toString()}Ip6Extra 1\n`) };
    const second = runs.run(readings(grown));
    expect(second.ran).toEqual(['netstat']);
    expect(second.lines).toEqual(fresh(grown).lines);
    const third = { ...grown, snmp: renumbered(files.snmp, 17) };
    const again = runs.run(readings(third));
    expect(again.failures).toEqual([]);
    expect(again.lines).toEqual(fresh(third).lines);
  });
});
