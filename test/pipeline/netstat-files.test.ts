// Which of /proc/net/snmp, netstat and snmp6 a --collector.netstat.fields selection reads in every
// namespace: a file none of whose fields is selected costs a read per namespace for nothing (netstat,
// 4 KB, is the dearest), so it is left out, and what is reported stays the same. Field names come from
// the captured router files and from this machine's own /proc. No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { OwnNamespaceInput } from '../../src/collectors/collector.js';
import { DEFAULT_NETSTAT_FIELDS, netstatCollector, printedFieldNames, selectNetstatFiles } from '../../src/collectors/netstat.js';
import { planCollection } from '../../src/pipeline/collect-snapshot.js';
import { parseProcNetSnmp, parseProcNetSnmp6 } from '../../src/parsers/proc-net-snmp.js';
import { readInOwnNamespace } from '../../src/readers/own-namespace.js';
import type { Readings } from '../../src/readers/reader.js';
import { netstatFileSource, snmp6Source, snmpSource } from '../../src/sources/netstat.js';
import { collectorRuns, configured } from '../support/collector-runs.js';
import { nativeReadings } from '../support/native-readings.js';

const diagnostics = (name: string): Buffer => readFileSync(new URL(`../fixtures/diagnostics/${name}`, import.meta.url));
const captured = {
  snmp: diagnostics('router.snmp.txt'),
  netstat: diagnostics('router.netstat.txt'),
  snmp6: diagnostics('router.snmp6.txt'),
};
const capturedKernel: OwnNamespaceInput = (source) => {
  const data = new Map(Object.entries(captured)).get(source.name);
  const result = data === undefined ? undefined : source.exec.parse(data);
  return result?.ok ? result.value : undefined;
};

function namesOf(result: ReturnType<typeof parseProcNetSnmp>): string[] {
  if (!result.ok) throw new Error(result.error.detail);
  return result.value.map(({ proto, field }) => `${proto}_${field}`);
}

/** What the captured router's kernel prints in each file. */
const printed = new Map([
  ['snmp', namesOf(parseProcNetSnmp(captured.snmp.toString('utf8')))],
  ['netstat', namesOf(parseProcNetSnmp(captured.netstat.toString('utf8')))],
  ['snmp6', namesOf(parseProcNetSnmp6(captured.snmp6.toString('utf8')))],
]);
const selection = (regex: string): RegExp => new RegExp(`^(?:${regex})$`);
const select = (regex: string, names = printed): string[] => [...selectNetstatFiles(selection(regex), names)];

describe('the files a selection reads', () => {
  test('the default fields are all in snmp and snmp6: /proc/net/netstat is not read', () => {
    expect(select(DEFAULT_NETSTAT_FIELDS)).toEqual(['snmp', 'snmp6']);
  });

  test('each file is read for a field it prints, and only then', () => {
    expect(select('TcpExt_ListenDrops')).toEqual(['netstat']);
    expect(select('Ip_ForwDatagrams')).toEqual(['snmp']);
    expect(select('Udp6_InErrors')).toEqual(['snmp6']);
    expect(select('IpExt_.*|Tcp_.*')).toEqual(['snmp', 'netstat']);
    expect(select('.*')).toEqual(['snmp', 'netstat', 'snmp6']);
    expect(select('NoSuch_Field')).toEqual([]);
  });

  test('ICMP type counters that the kernel prints only once counted still select their file', () => {
    const withoutTypes = new Map([...printed].map(([file, names]) => [file, names.filter((name) => !/Type\d+$/.test(name))]));
    expect(withoutTypes.get('snmp')?.some((name) => name.startsWith('IcmpMsg_'))).toBe(false);
    expect(select('IcmpMsg_OutType3', withoutTypes)).toEqual(['snmp']);
    expect(select('Icmp6_InType135', withoutTypes)).toEqual(['snmp6']);
  });

  test('a file whose names are unknown (unreadable at start) is read', () => {
    const noSnmp6 = new Map([...printed].filter(([file]) => file !== 'snmp6'));
    expect(select('Ip_ForwDatagrams', noSnmp6)).toEqual(['snmp', 'snmp6']);
  });

  test("this machine's own files are read and name the kernel's fields", () => {
    const own = printedFieldNames(readInOwnNamespace);
    expect(own.get('snmp')).toContain('Ip_ForwDatagrams');
    expect(own.get('netstat')).toContain('TcpExt_ListenDrops');
    // every default field is printed by this kernel in the files the default reads
    const read = selectNetstatFiles(selection(DEFAULT_NETSTAT_FIELDS), own);
    const reachable = [...read].flatMap((file) => own.get(file) ?? []);
    for (const field of DEFAULT_NETSTAT_FIELDS.split('|')) {
      if (field.startsWith('Ip6_') || field.startsWith('Icmp6_')) {
        if (!own.has('snmp6')) continue; // IPv6 disabled on this kernel: snmp6 is read anyway, and absent
      }
      expect(reachable, field).toContain(field);
    }
  });
});

describe('what is reported', () => {
  function readings(): Readings {
    return nativeReadings([
      [[snmpSource], captured.snmp],
      [[netstatFileSource], captured.netstat],
      [[snmp6Source], captured.snmp6],
    ]);
  }

  test('the plan reads only the selected files, and the series are those of reading all three', () => {
    for (const regex of [DEFAULT_NETSTAT_FIELDS, 'TcpExt_.*|Udp_InErrors', 'Ip6_.*']) {
      const flags = { 'collector.netstat.fields': regex };
      // what the captured router's kernel prints decides the files, as this machine's does in the exporter
      const selected = configured(netstatCollector, flags, capturedKernel);
      const plan = planCollection([selected]);
      expect(
        plan.namespaceSources.map((source) => source.name),
        regex,
      ).toEqual([...selectNetstatFiles(selection(regex), printed)]);
      // an own namespace that shows nothing: all three files are read
      const whenAll = collectorRuns([netstatCollector], flags).run(readings());
      expect(configured(netstatCollector, flags).sources).toHaveLength(3);
      const whenSelected = collectorRuns([selected]).run(readings());
      expect(whenSelected.failures).toEqual([]);
      expect(whenSelected.lines.length, regex).toBeGreaterThan(0);
      expect(whenSelected.lines, regex).toEqual(whenAll.lines);
    }
  });
});
