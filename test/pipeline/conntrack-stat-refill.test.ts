// "Same file, new values" for /proc/net/stat/nf_conntrack: every value is printed as %08x, so a later
// reading with the same header and row layout is refilled in place, each column summed over the CPU
// rows, and must equal a fresh parse; anything else about the file is parsed again. On the captured
// router's file (two CPUs, 5 invalid) and on a hand-made one with more CPUs. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { conntrackStatCollector } from '../../src/collectors/conntrack-stat.js';
import { viewOf } from '../../src/parsers/binary-counters.js';
import { nfConntrackStatVolatileRanges, parseNfConntrackStatTotals, sumHexColumn } from '../../src/parsers/nf-conntrack-stat.js';
import type { Readings } from '../../src/readers/reader.js';
import { conntrackStatSource } from '../../src/sources/conntrack.js';
import { collectorRuns } from '../support/collector-runs.js';
import { nativeReadings } from '../support/native-readings.js';

const router = readFileSync(new URL('../fixtures/diagnostics/router.nf_conntrack.stat.txt', import.meta.url), 'latin1');
const [header = '', firstRow = ''] = router.split('\n');
/** The captured layout on `cpus` CPUs, each row's values from `value(cpu, column)`. */
function statFile(cpus: number, value: (cpu: number, column: number) => number): Buffer {
  const columns = header.split(/\s+/).filter((name) => name !== '').length;
  // the kernel's own spacing (two blanks after entries and after icmp_error), kept from the captured row
  const gaps = firstRow.match(/\s+/g) ?? [];
  const rows = Array.from({ length: cpus }, (_, cpu) =>
    Array.from({ length: columns }, (_, column) => value(cpu, column).toString(16).padStart(8, '0') + (gaps[column] ?? '')).join(''),
  );
  return Buffer.from(`${header}\n${rows.join('\n')}\n`, 'latin1');
}

const readings = (data: Buffer): Readings => nativeReadings([[[conntrackStatSource], data]]);
const fresh = (data: Buffer) => collectorRuns([conntrackStatCollector]).run(readings(data));

describe('the layout of the file', () => {
  test('the captured file: each column found in the first CPU row, rows of one length', () => {
    const result = parseNfConntrackStatTotals(router);
    if (!result.ok) throw new Error(result.error.detail);
    const { columnsAt } = result.value;
    expect(columnsAt?.rowLength).toBe(firstRow.length + 1);
    const data = Buffer.from(router, 'latin1');
    for (const [column, total] of result.value.totals) {
      const at = columnsAt?.at.get(column) as number;
      expect(at, column).toBeGreaterThan(header.length);
      expect(sumHexColumn(viewOf(data), at, columnsAt?.rowLength as number), column).toBe(total);
    }
    expect(result.value.totals.get('invalid')).toBe(5);
  });

  test('only the hexadecimal values are volatile: 17 columns on each of 2 rows, 8 digits each', () => {
    const ranges = nfConntrackStatVolatileRanges(Buffer.from(router, 'latin1'));
    expect(ranges).toHaveLength(34);
    for (const [start, end] of ranges) {
      expect(end - start).toBe(8);
      expect(start).toBeGreaterThan(header.length);
    }
  });

  test('rows of different lengths: nothing to read in place', () => {
    const ragged = `${header}\n${firstRow}\n${firstRow.replace(/^0+/, '')}\n`;
    const result = parseNfConntrackStatTotals(ragged);
    expect(result.ok && result.value.columnsAt).toBeUndefined();
  });
});

describe('conntrack_stat collector', () => {
  test('new values on the same layout: refilled without running the collector, output as a fresh parse', () => {
    const runs = collectorRuns([conntrackStatCollector]);
    const first = runs.run(readings(Buffer.from(router, 'latin1')));
    expect(first.ran).toEqual(['conntrack_stat']);
    expect(first.lines.length).toBe(7);
    for (const seed of [1, 977]) {
      const moved = statFile(2, (cpu, column) => (seed * (cpu + 3) * (column + 1) * 7919) % 2 ** 32);
      const again = runs.run(readings(moved));
      expect(again.ran).toEqual([]);
      expect(again.failures).toEqual([]);
      expect(again.lines).toEqual(fresh(moved).lines);
      expect(again.lines).not.toEqual(first.lines);
    }
  });

  test('the largest values the kernel prints sum exactly over 64 CPUs', () => {
    const runs = collectorRuns([conntrackStatCollector]);
    const zeros = statFile(64, () => 0);
    runs.run(readings(zeros));
    const full = statFile(64, () => 2 ** 32 - 1);
    const again = runs.run(readings(full));
    expect(again.ran).toEqual([]);
    expect(again.lines).toEqual(fresh(full).lines);
    expect(again.lines).toContain(`netns_nf_conntrack_stat_drop_total{qrouter-runs} ${64 * (2 ** 32 - 1)}`);
  });

  test.each([
    ['a CPU more', () => statFile(3, () => 1)],
    ['a renamed column', () => Buffer.from(router.replace('early_drop', 'early_dropz'), 'latin1')],
    ['a value one digit longer', () => Buffer.from(router.replace('  00000000', '  100000000'), 'latin1')],
    ['another blank', () => Buffer.from(router.replace('  ', ' \t'), 'latin1')],
  ])('%s is parsed again', (_what, make) => {
    const runs = collectorRuns([conntrackStatCollector]);
    runs.run(readings(Buffer.from(router, 'latin1')));
    const changed = make();
    const second = runs.run(readings(changed));
    expect(second.ran).toEqual(['conntrack_stat']);
    expect(second.lines).toEqual(fresh(changed).lines);
  });
});
