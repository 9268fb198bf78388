// Neighbour counts from both backends' inputs, captured at the same moment in the router diagnostics
// namespace (test/fixtures/diagnostics, SOURCES.md): `ip -j neigh show nud all` and the answer to
// getNeighbourDumpRequest() (a neighbour dump, its devices by ifindex, named from the link dump
// router.links.rtnetlink.bin as the neighbor collector names them). Broken variants are cut from them.
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { describe, expect, test } from 'vitest';
import type { NeighbourCount } from '../../src/model/records/neighbours.js';
import { parseIpNeighJson } from '../../src/parsers/ip-neigh-json.js';
import { forEachNetlinkMessage, readHostU16 } from '../../src/parsers/netlink/netlink-messages.js';
import { namedNeighbourCounts } from '../../src/parsers/neighbour-counts.js';
import { parseRtnetlinkNeighbours, rtnetlinkNeighbourVolatileRanges } from '../../src/parsers/netlink/rtnetlink-neighbours.js';
import { rtnetlinkLinks } from '../support/rtnetlink.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

const bytes = (name: string): Buffer => readFileSync(new URL(`../fixtures/diagnostics/${name}`, import.meta.url));
const json = (name: string): string => readFixture(`diagnostics/${name}`);
const HOSTILE = 'q"r\\😀';

// What capture-diagnostics.ts set up, and what the kernel made of its traffic (read off the JSON)
const ROUTER: NeighbourCount[] = [
  { device: 'lo', family: 'ipv4', state: 'noarp', count: 1 }, // 0.0.0.0, the loopback entry
  { device: 'lo', family: 'ipv6', state: 'noarp', count: 2 }, // ::1 and fd79::1 (own address, sent to itself)
  { device: HOSTILE, family: 'ipv4', state: 'permanent', count: 1 },
  { device: HOSTILE, family: 'ipv4', state: 'reachable', count: 1 },
  { device: 'qg-diag', family: 'ipv4', state: 'failed', count: 1 }, // 10.79.0.9, absent
  { device: 'qg-diag', family: 'ipv4', state: 'noarp', count: 1 }, // nud noarp
  { device: 'qg-diag', family: 'ipv4', state: 'permanent', count: 1 },
  { device: 'qg-diag', family: 'ipv4', state: 'reachable', count: 1 }, // the peer
  { device: 'qg-diag', family: 'ipv6', state: 'failed', count: 2 }, // fd79::9 absent, fd79::56 added in probe
  { device: 'qg-diag', family: 'ipv6', state: 'noarp', count: 3 }, // multicast: ff02::16, two solicited-node groups
  { device: 'qg-diag', family: 'ipv6', state: 'permanent', count: 1 },
  { device: 'qg-diag', family: 'ipv6', state: 'reachable', count: 1 },
  { device: 'qr-diag', family: 'ipv4', state: 'incomplete', count: 1 }, // 10.79.1.9, still being solicited
  { device: 'qr-diag', family: 'ipv4', state: 'none', count: 1 }, // nud none
  { device: 'qr-diag', family: 'ipv4', state: 'reachable', count: 1 }, // the tenant
  { device: 'qr-diag', family: 'ipv4', state: 'stale', count: 1 },
  { device: 'qr-noarp', family: 'ipv4', state: 'noarp', count: 1 }, // a device with ARP off
];

const RTM_NEWNEIGH = 28;

const LINKS = expectParse(rtnetlinkLinks(bytes('router.links.rtnetlink.bin')), undefined) ?? [];
/** The native parse with its devices named, as the neighbor collector reports it. */
const named = (dump: Buffer): NeighbourCount[] | undefined => {
  const counts = expectParse(parseRtnetlinkNeighbours(dump), undefined);
  return counts && namedNeighbourCounts(counts, LINKS);
};

/** [start, end) of every message in a dump, with its type. */
function messages(data: Buffer): { type: number; start: number; end: number }[] {
  const list: { type: number; start: number; end: number }[] = [];
  forEachNetlinkMessage(data, (m) => {
    list.push({ type: m.type, start: m.payloadStart - 16, end: m.payloadEnd });
    return undefined;
  });
  return list;
}

/** A copy of the dump with the ndmsg of the `nth` neighbour changed by `edit(copy, payloadStart)`. */
function editNeighbour(data: Buffer, nth: number, edit: (copy: Buffer, at: number) => void): Buffer {
  const copy = Buffer.from(data);
  const neighbour = messages(copy).filter((m) => m.type === RTM_NEWNEIGH)[nth];
  if (!neighbour) throw new Error(`no neighbour #${nth}`);
  edit(copy, neighbour.start + 16);
  return copy;
}

const total = (counts: readonly NeighbourCount[]): number => counts.reduce((sum, c) => sum + c.count, 0);

describe('neighbour counts, both backends', () => {
  const cases = [
    {
      name: 'router: every state, multicast, loopback, a hostile name',
      dump: 'router.neigh.rtnetlink.bin',
      json: 'router.ip-neigh.json',
      want: ROUTER,
    },
    { name: 'fresh namespace: no neighbours ("[]")', dump: 'fresh.neigh.rtnetlink.bin', json: 'fresh.ip-neigh.json', want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      expect(named(bytes(c.dump))).toEqual(c.want);
      expect(expectParse(parseIpNeighJson(json(c.json)), undefined)).toEqual(c.want);
    });
  }

  test('the JSON has one entry per counted neighbour', () => {
    expect((JSON.parse(json('router.ip-neigh.json')) as unknown[]).length).toBe(total(ROUTER));
  });
});

describe('parseRtnetlinkNeighbours on edited dumps', () => {
  const dump = bytes('router.neigh.rtnetlink.bin');

  test('every truncation is a parse failure, never an exception', () => {
    for (let length = 0; length < dump.length; length++) {
      const result = parseRtnetlinkNeighbours(dump.subarray(0, length));
      expect(result.ok, `length ${length}`).toBe(false);
      if (!result.ok) expect(result.error.kind).toBe('parse');
    }
  });

  test('devices come by ifindex, and are named from the link dump', () => {
    const counts = expectParse(parseRtnetlinkNeighbours(dump), undefined) ?? [];
    expect(counts.every((count) => typeof count.device === 'number')).toBe(true);
    expect(total(counts)).toBe(total(ROUTER));
  });

  test('a message after the end of the dump: a parse error', () => {
    expectParse(parseRtnetlinkNeighbours(Buffer.concat([dump, dump])), /^rtnetlink neighbours: a message after the dump ended$/);
  });

  test('a neighbour on a link the link table lacks is left out, not given a guessed name', () => {
    const hostile = LINKS.find((link) => link.device === HOSTILE);
    expect(hostile).toBeDefined();
    const counts = expectParse(parseRtnetlinkNeighbours(dump), undefined) ?? [];
    expect(
      namedNeighbourCounts(
        counts,
        LINKS.filter((link) => link !== hostile),
      ),
    ).toEqual(ROUTER.filter((c) => c.device !== HOSTILE));
  });

  test('volatile ranges: the cache ages and probe count, nothing of its ndmsg', () => {
    const neighbours = messages(dump).filter((m) => m.type === RTM_NEWNEIGH);
    const ranges = rtnetlinkNeighbourVolatileRanges(dump);
    // NDA_CACHEINFO and NDA_PROBES in every entry the kernel dumps
    expect(ranges.length).toBe(2 * neighbours.length);
    for (const [start, end] of ranges) {
      const owner = neighbours.find((m) => m.start <= start && end <= m.end);
      expect(owner).toBeDefined();
      expect(start).toBeGreaterThanOrEqual((owner?.start ?? 0) + 16 + 12);
    }
  });

  test('a proxy entry is not counted', () => {
    const edited = editNeighbour(dump, 0, (copy, at) => (copy[at + 10] = (copy[at + 10] as number) | 0x08));
    expect(total(named(edited) ?? [])).toBe(total(ROUTER) - 1);
  });

  test('a family other than ARP and NDP is not counted', () => {
    const edited = editNeighbour(dump, 0, (copy, at) => (copy[at] = 7)); // AF_BRIDGE
    expect(total(named(edited) ?? [])).toBe(total(ROUTER) - 1);
  });

  test('several NUD bits are named in bit order, as ip prints them', () => {
    const edited = editNeighbour(dump, 0, (copy, at) => {
      expect(readHostU16(copy, at + 8)).toBe(0x02); // the hostile device's REACHABLE peer
      if (endianness() === 'LE') copy.writeUInt16LE(0x82, at + 8);
      else copy.writeUInt16BE(0x82, at + 8);
    });
    expect((named(edited) ?? []).filter((c) => c.device === HOSTILE)).toEqual([
      { device: HOSTILE, family: 'ipv4', state: 'permanent', count: 1 },
      { device: HOSTILE, family: 'ipv4', state: 'reachable,permanent', count: 1 },
    ]);
  });
});

describe('parseIpNeighJson', () => {
  const entry = (fields: Record<string, unknown>): string =>
    JSON.stringify([{ dst: '10.0.0.2', dev: 'qr-1', lladdr: '02:00:00:00:00:02', state: ['REACHABLE'], ...fields }]);
  const cases: readonly { name: string; input: string; want?: NeighbourCount[]; error?: RegExp }[] = [
    {
      name: 'several NUD bits',
      input: entry({ state: ['REACHABLE', 'PERMANENT'] }),
      want: [{ device: 'qr-1', family: 'ipv4', state: 'reachable,permanent', count: 1 }],
    },
    { name: 'no state: NUD_NONE', input: entry({ state: undefined }), want: [{ device: 'qr-1', family: 'ipv4', state: 'none', count: 1 }] },
    {
      name: 'IPv6 by its address',
      input: entry({ dst: 'fe80::1' }),
      want: [{ device: 'qr-1', family: 'ipv6', state: 'reachable', count: 1 }],
    },
    { name: 'a proxy entry is not counted', input: entry({ proxy: null }), want: [] },
    { name: 'truncated', input: json('router.ip-neigh.json').slice(0, 300), error: /^ip -j neigh: line 1: not JSON/ },
    { name: 'not an array', input: '{"dst":"10.0.0.2"}', error: /^ip -j neigh: line 1: expected a JSON array of neighbours$/ },
    { name: 'no dev', input: entry({ dev: undefined }), error: /^ip -j neigh: neighbour #1: \(10\.0\.0\.2\) "dev" missing/ },
    { name: 'no dst', input: entry({ dst: undefined }), error: /"dst" missing/ },
    { name: 'dst not an address', input: entry({ dst: 'router' }), error: /"dst" "router" is not an IP address/ },
    { name: 'state not an array', input: entry({ state: 'REACHABLE' }), error: /"state" is not a non-empty array/ },
    { name: 'unknown state', input: entry({ state: ['REACHABLE', 'BOGUS'] }), error: /unknown state "bogus"/ },
  ];
  test.each(cases)('$name', (c) => {
    const value = expectParse(parseIpNeighJson(c.input), c.error);
    if (c.error === undefined) expect(value).toEqual(c.want);
  });
});
