// /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 captured in a router namespace after known
// traffic and in a fresh one (test/fixtures/diagnostics, see SOURCES.md), plus hand-cut broken copies.
import { describe, expect, test } from 'vitest';
import type { NetstatRecord } from '../../src/model/records/netstat.js';
import { parseProcNetSnmp, parseProcNetSnmp6 } from '../../src/parsers/proc-net-snmp.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

const fixture = (name: string): string => readFixture(`diagnostics/${name}`);

/** node_exporter's names: node_netstat_<proto>_<field>. */
const byName = (records: readonly NetstatRecord[]): Map<string, number> => new Map(records.map((r) => [`${r.proto}_${r.field}`, r.value]));

interface Case {
  readonly name: string;
  readonly fixture: string;
  readonly parse: (text: string) => ReturnType<typeof parseProcNetSnmp>;
  /** Values read off the fixture (a subset; every other record is checked by count). */
  readonly values?: Readonly<Record<string, number>>;
  readonly count?: number;
  readonly protos?: readonly string[];
  readonly error?: RegExp;
}

const cases: readonly Case[] = [
  {
    name: 'snmp of a forwarding router after UDP, TCP and ICMP',
    fixture: 'router.snmp.txt',
    parse: parseProcNetSnmp,
    // 20 Ip + 29 Icmp + 2 IcmpMsg + 15 Tcp + 9 Udp + 9 UdpLite
    count: 84,
    protos: ['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite'],
    values: {
      Ip_Forwarding: 1,
      Ip_ForwDatagrams: 8,
      Ip_InReceives: 26,
      Ip_InDiscards: 0,
      Ip_OutDiscards: 1,
      Ip_OutTransmits: 23,
      Icmp_InErrors: 1,
      Icmp_OutDestUnreachs: 6,
      IcmpMsg_InType3: 4,
      IcmpMsg_OutType3: 6,
      Tcp_MaxConn: -1,
      Tcp_RtoMax: 120000,
      Tcp_PassiveOpens: 2,
      Tcp_CurrEstab: 2,
      Tcp_OutRsts: 1,
      Udp_NoPorts: 5,
      Udp_OutDatagrams: 6,
      UdpLite_InDatagrams: 0,
    },
  },
  {
    name: 'snmp of a fresh namespace: forwarding off, no IcmpMsg line yet',
    fixture: 'fresh.snmp.txt',
    parse: parseProcNetSnmp,
    count: 82,
    protos: ['Ip', 'Icmp', 'Tcp', 'Udp', 'UdpLite'],
    values: { Ip_Forwarding: 2, Ip_DefaultTTL: 64, Ip_ForwDatagrams: 0, Tcp_MaxConn: -1 },
  },
  {
    name: 'netstat of the router',
    fixture: 'router.netstat.txt',
    parse: parseProcNetSnmp,
    protos: ['TcpExt', 'IpExt', 'MPTcpExt'],
    values: {
      TcpExt_ListenDrops: 0,
      TcpExt_ListenOverflows: 0,
      TcpExt_DelayedACKs: 2,
      TcpExt_TCPPureAcks: 2,
      IpExt_InOctets: 1668,
      IpExt_OutOctets: 1632,
      IpExt_InNoECTPkts: 26,
    },
  },
  {
    name: 'snmp6 of the router: split after the first 6',
    fixture: 'router.snmp6.txt',
    parse: parseProcNetSnmp6,
    count: 92,
    protos: ['Ip6', 'Icmp6', 'Udp6', 'UdpLite6'],
    values: {
      Ip6_InReceives: 13,
      Ip6_InNoRoutes: 0,
      Ip6_OutDiscards: 1,
      Ip6_OutTransmits: 17,
      Icmp6_InErrors: 3,
      Icmp6_InDestUnreachs: 5,
      Icmp6_OutType135: 4,
      Icmp6_OutMLDv2Reports: 2,
      Udp6_InErrors: 0,
      Udp6_NoPorts: 2,
      Udp6_OutDatagrams: 5,
      UdpLite6_InDatagrams: 0,
    },
  },
  { name: 'snmp6 of a fresh namespace', fixture: 'fresh.snmp6.txt', parse: parseProcNetSnmp6, count: 86, values: { Ip6_InReceives: 0 } },
  {
    name: 'broken: a value missing',
    fixture: 'broken-count-mismatch.snmp.txt',
    parse: parseProcNetSnmp,
    error: /^line 8: Tcp has 15 names but 14 values$/,
  },
  {
    name: 'broken: a value not a number',
    fixture: 'broken-garbage-value.snmp.txt',
    parse: parseProcNetSnmp,
    error: /^line 10: Udp NoPorts: "5x" is not an integer$/,
  },
  {
    name: 'broken: a fraction',
    fixture: 'broken-fraction.snmp.txt',
    parse: parseProcNetSnmp,
    error: /^line 2: Ip ForwDatagrams: "8.5" is not an integer$/,
  },
  {
    name: 'broken: header without its value line',
    fixture: 'broken-missing-value-line.netstat.txt',
    parse: parseProcNetSnmp,
    error: /^line 4: missing the value line of IpExt$/,
  },
  {
    name: 'broken: values of another protocol',
    fixture: 'broken-swapped-lines.netstat.txt',
    parse: parseProcNetSnmp,
    error: /^line 2: expected the values of TcpExt, got "IpExt: /,
  },
  {
    name: 'broken: snmp6 name without value',
    fixture: 'broken-no-value.snmp6.txt',
    parse: parseProcNetSnmp6,
    error: /^line 4: expected a name and a value, got "Ip6InNoRoutes"$/,
  },
  {
    name: 'broken: snmp6 value not a number',
    fixture: 'broken-garbage-value.snmp6.txt',
    parse: parseProcNetSnmp6,
    error: /^line 4: Ip6InNoRoutes: "-" is not an integer$/,
  },
];

describe('parseProcNetSnmp / parseProcNetSnmp6', () => {
  for (const c of cases) {
    test(c.name, () => {
      const records = expectParse(c.parse(fixture(c.fixture)), c.error);
      if (records === undefined) return;
      const values = byName(records);
      expect(values.size, 'no name twice').toBe(records.length);
      if (c.count !== undefined) expect(records).toHaveLength(c.count);
      if (c.protos !== undefined) expect([...new Set(records.map((r) => r.proto))]).toEqual(c.protos);
      for (const [name, value] of Object.entries(c.values ?? {})) expect(values.get(name), name).toBe(value);
    });
  }

  test('every snmp and netstat record is the column under its name', () => {
    // independent of the parser: zip each header line with the line after it
    for (const file of ['router.snmp.txt', 'router.netstat.txt']) {
      const lines = fixture(file).trimEnd().split('\n');
      const expected: Omit<NetstatRecord, 'at'>[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const [proto, ...names] = (lines[i] as string).split(' ');
        const values = (lines[i + 1] as string).split(' ').slice(1);
        names.forEach((field, j) => expected.push({ proto: (proto as string).slice(0, -1), field, value: Number(values[j]) }));
      }
      const records = expectParse(parseProcNetSnmp(fixture(file)), undefined) ?? [];
      expect(records.map(({ at: _at, ...record }) => record)).toEqual(expected);
    }
  });

  test('each record says where its value is in the text', () => {
    for (const [file, parse] of [
      ['router.snmp.txt', parseProcNetSnmp],
      ['router.netstat.txt', parseProcNetSnmp],
      ['router.snmp6.txt', parseProcNetSnmp6],
    ] as const) {
      const text = fixture(file);
      const records = expectParse(parse(text), undefined) ?? [];
      expect(records.length).toBeGreaterThan(10);
      for (const record of records) {
        const word = /^-?\d+/.exec(text.slice(record.at))?.[0];
        expect(Number(word), `${file} ${record.proto}_${record.field}`).toBe(record.value);
        expect(/\s/.test(text[record.at - 1] ?? ''), `${record.proto}_${record.field} starts a word`).toBe(true);
      }
    }
  });

  test('empty input is an error, never zero records', () => {
    expectParse(parseProcNetSnmp(''), /empty file/);
    expectParse(parseProcNetSnmp6(''), /empty file/);
  });
});
