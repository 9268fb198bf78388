import { describe, expect, test } from 'vitest';
import type { LinkRecord } from '../../src/model/records/links.js';
import { parseIpLinkJson } from '../../src/parsers/ip-link-json.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

const LO: LinkRecord = { ifindex: 1, device: 'lo', operstate: 'UNKNOWN', mtu: 65536, address: '00:00:00:00:00:00', linkType: 'loopback' };

const ROUTER_LINKS: readonly LinkRecord[] = [
  LO,
  { ifindex: 2, device: 'qg-5a7c2e1f-3b', operstate: 'UP', mtu: 1500, address: '1a:af:44:1b:54:5b', linkType: 'ether' },
  { ifindex: 3, device: 'qr-8c01d2e5-a9', operstate: 'UP', mtu: 1450, address: 'de:d9:a9:38:87:dd', linkType: 'ether' },
];

interface Case {
  readonly name: string;
  readonly input: string;
  readonly records?: readonly LinkRecord[];
  readonly devices?: readonly string[];
  readonly someRecords?: readonly LinkRecord[];
  readonly error?: RegExp;
}

const cases: readonly Case[] = [
  {
    name: 'Neutron router: lo and two veths whose peers live in other namespaces',
    input: readFixture('ip-link/neutron-router.json'),
    records: ROUTER_LINKS,
  },
  { name: 'same router with -s: stats64 ignored', input: readFixture('ip-link/neutron-router-stats.json'), records: ROUTER_LINKS },
  { name: 'fresh namespace: only lo', input: readFixture('ip-link/fresh-netns.json'), records: [{ ...LO }] },
  {
    name: 'hostile names, raw control character included; tun has no address',
    input: readFixture('ip-link/hostile-names.json'),
    devices: [
      'lo',
      'q"uote',
      'd$(x)',
      'back\\sl',
      'é-ü-名',
      "'single'",
      'a*b?',
      '-j',
      'x;y|z',
      '#hash',
      'a\u0001b',
      'abcdefghijklmno',
      'tun0',
    ],
    someRecords: [
      { ifindex: 2, device: 'q"uote', operstate: 'UNKNOWN', mtu: 1500, address: 'ea:f9:39:09:1c:06', linkType: 'ether' },
      { ifindex: 3, device: 'd$(x)', operstate: 'DOWN', mtu: 1500, address: 'e6:32:c6:4a:44:f4', linkType: 'ether' },
      { ifindex: 4, device: 'back\\sl', operstate: 'DOWN', mtu: 1500, address: '2a:f8:a6:59:d1:aa', linkType: 'ether' },
      { ifindex: 11, device: 'a\u0001b', operstate: 'DOWN', mtu: 1500, address: '5a:ad:3c:7f:55:e5', linkType: 'ether' },
      { ifindex: 12, device: 'abcdefghijklmno', operstate: 'UNKNOWN', mtu: 9000, address: '66:7c:f5:c5:11:14', linkType: 'ether' },
      { ifindex: 13, device: 'tun0', operstate: 'DOWN', mtu: 1500, address: '', linkType: 'none' },
    ],
  },
  { name: 'empty array', input: '[]\n', records: [] },
  { name: 'truncated output', input: readFixture('ip-link/broken-truncated.json'), error: /line 1: not JSON/ },
  { name: 'interface without ifname', input: readFixture('ip-link/broken-missing-ifname.json'), error: /interface #2: "ifname" missing/ },
  {
    name: 'mtu as a string',
    input: readFixture('ip-link/broken-mtu-string.json'),
    error: /interface #3: \("qr-8c01d2e5-a9"\) "mtu" missing or not a non-negative integer/,
  },
  { name: 'an object instead of an array', input: readFixture('ip-link/broken-not-array.json'), error: /expected a JSON array/ },
  { name: 'empty input', input: '', error: /line 1: not JSON/ },
  { name: 'error on a later line is located', input: '[\n{"ifindex":1,\n"ifname":"lo",,}\n]', error: /line 3: not JSON/ },
  { name: 'array element that is not an object', input: '[1]', error: /interface #1: not a JSON object/ },
];

describe('parseIpLinkJson', () => {
  test.each(cases)('$name', (c) => {
    const value = expectParse(parseIpLinkJson(c.input), c.error);
    if (value === undefined) return;
    if (c.records !== undefined) expect(value).toEqual(c.records);
    if (c.devices !== undefined) expect(value.map((r) => r.device)).toEqual(c.devices);
    for (const expected of c.someRecords ?? []) {
      expect(value.find((r) => r.device === expected.device)).toEqual(expected);
    }
  });
});
