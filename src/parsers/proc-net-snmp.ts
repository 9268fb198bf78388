// /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 as read inside a namespace (all three are per
// namespace: net/ipv4/proc.c, net/ipv6/proc.c). Records are named the way node_exporter's netstat
// collector names its series (collector/netstat_linux.go): node_netstat_<proto>_<field>, e.g.
// Ip_ForwDatagrams, TcpExt_ListenDrops, Ip6_InNoRoutes, Icmp6_InErrors, Udp6_InErrors.

import type { NetstatRecord } from '../model/records/netstat.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

// The kernel prints these with %lu / %ld (and snmp6 with %lu): integers, nothing else.
const INTEGER = /^-?\d+$/;

/**
 * /proc/net/snmp or /proc/net/netstat: pairs of lines, `Proto: Name1 Name2 ...` then
 * `Proto: value1 value2 ...`. A pair whose counts differ, a value that is not an integer, a header
 * without its value line or two lines of different protocols is a parse error: a collector must not
 * turn a line it misread into zeros. (IcmpMsg appears only once some ICMP type was counted.)
 */
export function parseProcNetSnmp(text: string): ParseResult<NetstatRecord[]> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return parseFailure('line 1: empty file, expected "Proto: names" and "Proto: values" lines');
  const records: NetstatRecord[] = [];
  let lineStart = 0;
  for (let i = 0; i < lines.length; i += 2) {
    const valuesStart = lineStart + (lines[i] as string).length + 1;
    lineStart = valuesStart + (lines[i + 1] ?? '').length + 1;
    const names = (lines[i] as string).split(' ');
    const proto = protoOf(names[0] as string);
    if (proto === undefined) return parseFailure(`line ${i + 1}: expected "Proto:" first, got ${shown(lines[i] as string)}`);
    if (names.length < 2) return parseFailure(`line ${i + 1}: ${proto} has no field names`);
    const valueLine = lines[i + 1];
    if (valueLine === undefined) return parseFailure(`line ${i + 2}: missing the value line of ${proto}`);
    const values = valueLine.split(' ');
    if (values[0] !== names[0]) return parseFailure(`line ${i + 2}: expected the values of ${proto}, got ${shown(valueLine)}`);
    if (values.length !== names.length) {
      return parseFailure(`line ${i + 2}: ${proto} has ${names.length - 1} names but ${values.length - 1} values`);
    }
    let at = valuesStart + (values[0] as string).length + 1;
    for (let j = 1; j < names.length; j++) {
      const field = names[j] as string;
      const value = values[j] as string;
      if (field === '') return parseFailure(`line ${i + 1}: empty field name in ${proto} (column ${j})`);
      if (!INTEGER.test(value)) return parseFailure(`line ${i + 2}: ${proto} ${field}: ${shown(value)} is not an integer`);
      records.push({ proto, field, value: Number(value), at });
      at += value.length + 1;
    }
  }
  return parsed(records);
}

/**
 * /proc/net/snmp6: one `Ip6InReceives <blanks> 123` line per counter. The name is split after its
 * first '6' as node_exporter does (parseSNMP6Stats): Ip6 InReceives, Icmp6 InType133, UdpLite6
 * InErrors. A line that is not exactly a name with a '6' and an integer is a parse error.
 */
export function parseProcNetSnmp6(text: string): ParseResult<NetstatRecord[]> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return parseFailure('line 1: empty file, expected "Ip6InReceives 0"-style lines');
  const records: NetstatRecord[] = [];
  let lineStart = 0;
  for (const [i, line] of lines.entries()) {
    const start = lineStart;
    lineStart += line.length + 1;
    const fields = line.split(/[ \t]+/).filter((field) => field !== '');
    if (fields.length !== 2) return parseFailure(`line ${i + 1}: expected a name and a value, got ${shown(line)}`);
    const [name, value] = fields as [string, string];
    const six = name.indexOf('6');
    if (six <= 0 || six === name.length - 1) return parseFailure(`line ${i + 1}: ${shown(name)} is not a <proto>6<field> name`);
    if (!INTEGER.test(value)) return parseFailure(`line ${i + 1}: ${name}: ${shown(value)} is not an integer`);
    records.push({
      proto: name.slice(0, six + 1),
      field: name.slice(six + 1),
      value: Number(value),
      at: start + line.trimEnd().length - value.length,
    });
  }
  return parsed(records);
}

function protoOf(first: string): string | undefined {
  return first.length > 1 && first.endsWith(':') ? first.slice(0, -1) : undefined;
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
