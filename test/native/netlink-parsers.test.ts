// The netlink and x_tables parsers on bytes captured from real namespaces (test/fixtures/netlink,
// see SOURCES.md), compared with what the tools printed for the same namespace at the same moment.
// No root needed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { IptablesTable } from '../../src/model/records/iptables.js';
import { nftablesCounterRanges, parseNftablesRuleset } from '../../src/parsers/netlink/nftables-ruleset.js';
import { parseXtablesEntries, xtablesHasNoTables } from '../../src/parsers/netlink/xtables-entries.js';
import { parseIptablesSave } from '../../src/parsers/iptables-save.js';
import type { ParseResult } from '../../src/parsers/parse-result.js';
import { parseProcNetDev } from '../../src/parsers/proc-net-dev.js';
import { readCounter, viewOf } from '../../src/parsers/binary-counters.js';
import { ipLinkModel, iptablesSaveModel, withoutOffsets } from './reference-models.js';
import { rtnetlinkLinks, rtnetlinkNetDev } from '../support/rtnetlink.js';

const fixtureDir = new URL('../fixtures/netlink/', import.meta.url);
const bytes = (name: string): Buffer => readFileSync(new URL(name, fixtureDir));
const text = (name: string): string => readFileSync(new URL(name, fixtureDir), 'utf8');

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

const rulesetCases = [
  {
    name: 'nft ipv4 router',
    bin: 'router-nft-ipv4.nfnetlink.bin',
    save: 'router-nft-ipv4.iptables-nft-save.txt',
    parse: parseNftablesRuleset,
  },
  {
    name: 'nft ipv6 router',
    bin: 'router-nft-ipv6.nfnetlink.bin',
    save: 'router-nft-ipv6.ip6tables-nft-save.txt',
    parse: parseNftablesRuleset,
  },
  {
    name: 'legacy ipv4 router',
    bin: 'router-legacy-ipv4.xt-entries.bin',
    save: 'router-legacy-ipv4.iptables-legacy-save.txt',
    parse: parseXtablesEntries,
  },
  {
    name: 'legacy ipv6 router',
    bin: 'router-legacy-ipv6.xt-entries.bin',
    save: 'router-legacy-ipv6.ip6tables-legacy-save.txt',
    parse: parseXtablesEntries,
  },
  {
    name: 'nft foreign tables and chains',
    bin: 'foreign-nft-ipv4.nfnetlink.bin',
    save: 'foreign-nft-ipv4.iptables-nft-save.txt',
    parse: parseNftablesRuleset,
  },
  {
    name: 'nft fresh namespace',
    bin: 'fresh-nft-ipv4.nfnetlink.bin',
    save: 'fresh-nft-ipv4.iptables-nft-save.txt',
    parse: parseNftablesRuleset,
  },
] as const;

/** Every counter of a chain the kernel has, and of every rule, reads back from where the parse says it sits. */
function expectCountersWhereParsed(data: Buffer, tables: readonly IptablesTable[], bigEndian: boolean): void {
  const view = viewOf(data);
  for (const chain of tables.flatMap((table) => table.chains)) {
    if (chain.policyCountersAt) {
      expect(readCounter(view, chain.policyCountersAt.packets, bigEndian)).toBe(chain.policyPackets);
      expect(readCounter(view, chain.policyCountersAt.bytes, bigEndian)).toBe(chain.policyBytes);
    }
    for (const rule of chain.rules) {
      expect(rule.countersAt, `${chain.name} rule ${rule.position}`).toBeDefined();
      expect(readCounter(view, rule.countersAt?.packets ?? -1, bigEndian)).toBe(rule.packets);
      expect(readCounter(view, rule.countersAt?.bytes ?? -1, bigEndian)).toBe(rule.bytes);
    }
  }
}

describe('rulesets equal iptables-save -c of the same moment', () => {
  for (const c of rulesetCases) {
    test(c.name, async () => {
      const data = bytes(c.bin);
      const parsedTables = valueOf(c.parse(data));
      const model = withoutOffsets(parsedTables);
      expect(model).toEqual(iptablesSaveModel(text(c.save)));
      // every counter of a chain the kernel has, and of every rule, says where it was read
      const bigEndian = c.parse === parseNftablesRuleset;
      expectCountersWhereParsed(data, parsedTables, bigEndian);
      // the exec backend's parser: the native model must equal it too
      expect(model).toEqual(valueOf(parseIptablesSave(text(c.save))));
    });
  }

  test('the router fixtures hold what parity must cover', () => {
    const nft = valueOf(parseNftablesRuleset(bytes('router-nft-ipv4.nfnetlink.bin')));
    const rules = nft.flatMap((table) => table.chains.flatMap((chain) => chain.rules));
    const targets = new Set(rules.map((rule) => rule.target));
    for (const target of [
      'ACCEPT',
      'DROP',
      'RETURN',
      'REJECT',
      'LOG',
      'NFLOG',
      'MARK',
      'CONNMARK',
      'CT',
      'SNAT',
      'DNAT',
      'MASQUERADE',
      'REDIRECT',
      'neutron-l3-agent-INPUT',
      '',
    ]) {
      expect(targets, target).toContain(target);
    }
    expect(rules.some((rule) => rule.goto && rule.target === 'neutron-filter-top')).toBe(true);
    expect(rules.map((rule) => rule.comment)).toContain('metadata "proxy" \\ path');
    expect(rules.map((rule) => rule.comment)).toContain('drop ünïcode');
    expect(rules.map((rule) => rule.comment)).toContain('first second'); // two comment matches
    expect(rules.some((rule) => rule.packets > 0 && rule.bytes > 0)).toBe(true);
    const filter = nft.find((table) => table.name === 'filter');
    expect(filter?.chains.find((chain) => chain.name === 'FORWARD')?.policy).toBe('DROP');
    const legacy6 = valueOf(parseXtablesEntries(bytes('router-legacy-ipv6.xt-entries.bin')));
    expect(legacy6.flatMap((table) => table.chains).some((chain) => chain.builtin && chain.policyPackets > 0)).toBe(true);
  });
});

describe('nftables tables iptables-nft-save will not print', () => {
  test('are returned on request, with native expressions named as iptables targets', () => {
    const all = valueOf(parseNftablesRuleset(bytes('foreign-nft-ipv4.nfnetlink.bin'), { includeIncompatible: true }));
    expect(all.map((table) => table.name)).toEqual(['filter', 'nat']); // never `other`: not an iptables table
    const nat = all.find((table) => table.name === 'nat');
    const targets = (chain: string): string[] => nat?.chains.find((c) => c.name === chain)?.rules.map((rule) => rule.target) ?? [];
    expect(targets('POSTROUTING')).toEqual(['MASQUERADE', 'MASQUERADE', 'SNAT', 'LOG']);
    expect(targets('PREROUTING')).toEqual(['DNAT', 'REDIRECT', 'DNAT']);
    // the foreign base chain stays out either way, as iptables-nft-save leaves it out
    expect(all.find((table) => table.name === 'filter')?.chains.map((chain) => chain.name)).toEqual(['INPUT', 'FORWARD', 'OUTPUT']);
  });
});

describe('links equal ip -j link of the same moment', () => {
  test('router with veth, bridge (hostile name), vxlan, tun', () => {
    const links = valueOf(rtnetlinkLinks(bytes('router.rtnetlink.bin')));
    // router.ip-link.json is `ip -j link`, without -s -s: no carrier_changes to compare with
    expect(links.map(({ carrierChanges: _changes, ...link }) => link)).toEqual(ipLinkModel(text('router.ip-link.json')));
    expect(links.every((link) => Number.isInteger(link.carrierChanges))).toBe(true);
    expect(links.map((link) => link.operstate)).toEqual(expect.arrayContaining(['UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN']));
    expect(links.map((link) => link.device)).toContain('q"r\\x😀');
    expect(links.find((link) => link.linkType === 'none')?.address).toBe('');
  });
});

describe('broken input is a parse failure, never an exception', () => {
  const inputs = [
    { name: 'links', data: bytes('router.rtnetlink.bin'), parse: rtnetlinkLinks },
    { name: 'nft', data: bytes('router-nft-ipv4.nfnetlink.bin'), parse: parseNftablesRuleset },
    { name: 'x_tables', data: bytes('router-legacy-ipv4.xt-entries.bin'), parse: parseXtablesEntries },
  ];
  for (const input of inputs) {
    test(`${input.name}: every truncation`, () => {
      let failures = 0;
      for (let length = 0; length < input.data.length; length++) {
        const result = input.parse(input.data.subarray(0, length));
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          failures++;
        }
      }
      // any prefix that loses the end-of-dump marker or cuts a record must fail
      expect(failures).toBeGreaterThan(input.data.length * 0.9);
    });

    test(`${input.name}: flipped bytes`, () => {
      for (let offset = 0; offset < input.data.length; offset += 7) {
        const copy = Buffer.from(input.data);
        copy[offset] = (copy[offset] as number) ^ 0xff;
        expect(() => input.parse(copy)).not.toThrow();
      }
    });
  }

  test('nft dumps from two ruleset generations', () => {
    const data = Buffer.from(bytes('router-nft-ipv4.nfnetlink.bin'));
    // the last rule message's nfgenmsg res_id (bytes 18..19 of the message) gets another generation
    let offset = 0;
    let lastRule = -1;
    while (offset < data.length) {
      if (data.readUInt16LE(offset + 4) === ((10 << 8) | 6)) lastRule = offset;
      offset += (data.readUInt32LE(offset) + 3) & ~3;
    }
    data.writeUInt16BE(data.readUInt16BE(lastRule + 18) + 1, lastRule + 18);
    const result = parseNftablesRuleset(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.detail).toMatch(/changed between dumps/);
  });

  test('x_tables header alone means no tables; a bad magic is a failure', () => {
    const header = bytes('router-legacy-ipv4.xt-entries.bin').subarray(0, 32);
    expect(xtablesHasNoTables(header)).toBe(true);
    expect(parseXtablesEntries(header)).toEqual({ ok: true, value: [] });
    expect(parseXtablesEntries(Buffer.alloc(32)).ok).toBe(false);
  });
});

/** Each netlink message of a dump: where it starts and ends, its type, and (nfnetlink) its nfgenmsg family. */
function netlinkMessages(data: Buffer): { start: number; end: number; type: number; family: number }[] {
  const messages: { start: number; end: number; type: number; family: number }[] = [];
  for (let offset = 0; offset < data.length; offset += (data.readUInt32LE(offset) + 3) & ~3) {
    messages.push({
      start: offset,
      end: offset + data.readUInt32LE(offset),
      type: data.readUInt16LE(offset + 4),
      family: data[offset + 16] ?? -1,
    });
  }
  return messages;
}

const NFT_NEWTABLE = (10 << 8) | 0;
const NFPROTO = { inet: 1, ipv4: 2, ipv6: 10 } as const;

describe('one NFPROTO_UNSPEC dump answers both families (router-nft-unspec, with an inet table)', () => {
  const data = bytes('router-nft-unspec.nfnetlink.bin');
  const families = [
    { family: 'ipv4', save: 'router-nft-unspec.iptables-nft-save.txt' },
    { family: 'ipv6', save: 'router-nft-unspec.ip6tables-nft-save.txt' },
  ] as const;

  test('the dump holds ip, ip6 and inet tables, the inet one named like an iptables table', () => {
    const tables = netlinkMessages(data).filter((message) => message.type === NFT_NEWTABLE);
    expect(new Set(tables.map((table) => table.family))).toEqual(new Set([NFPROTO.inet, NFPROTO.ipv4, NFPROTO.ipv6]));
    const inet = tables.find((table) => table.family === NFPROTO.inet);
    expect(inet && data.subarray(inet.start, inet.end).includes('filter\0')).toBe(true);
  });

  for (const { family, save } of families) {
    test(`family ${family} equals ${save.split('.')[1]} -c of the same moment`, async () => {
      const tables = valueOf(parseNftablesRuleset(data, { family }));
      const model = withoutOffsets(tables);
      expect(model).toEqual(iptablesSaveModel(text(save)));
      // counters are read where the parse says they are
      expectCountersWhereParsed(data, tables, true);
      // the inet table's chains (INPUT with a jump, the user chain inet-only) show in neither family
      expect(tables.flatMap((table) => table.chains.map((chain) => chain.name))).not.toContain('inet-only');
      expect(tables.flatMap((table) => table.chains.flatMap((chain) => chain.rules.map((rule) => rule.target)))).not.toContain('inet-only');
      expect(model).toEqual(valueOf(parseIptablesSave(text(save))));
    });
  }

  test('both families have rules with traffic', () => {
    for (const { family } of families) {
      const rules = valueOf(parseNftablesRuleset(data, { family })).flatMap((table) => table.chains.flatMap((chain) => chain.rules));
      expect(
        rules.some((rule) => rule.packets > 0),
        family,
      ).toBe(true);
    }
  });

  test('nftablesCounterRanges covers every counter of both families, and the inet ones besides', () => {
    const ranges = valueOf(nftablesCounterRanges(data));
    for (const [start, end] of ranges) expect(end - start, `range at ${start}`).toBe(8);
    const offsets = new Set<number>();
    for (const { family } of families) {
      for (const chain of valueOf(parseNftablesRuleset(data, { family })).flatMap((table) => table.chains)) {
        if (chain.policyCountersAt) offsets.add(chain.policyCountersAt.packets).add(chain.policyCountersAt.bytes);
        for (const rule of chain.rules) if (rule.countersAt) offsets.add(rule.countersAt.packets).add(rule.countersAt.bytes);
      }
    }
    expect(offsets.size).toBeGreaterThan(0);
    for (const offset of offsets) {
      expect(
        ranges.some(([start, end]) => offset >= start && offset + 8 <= end),
        `counter at ${offset}`,
      ).toBe(true);
    }
    // the rest are the inet table's: its rules' counter expressions lie in inet messages
    const extra = ranges.filter(([start]) => !offsets.has(start));
    expect(ranges.length).toBeGreaterThan(offsets.size);
    expect(extra.length).toBeGreaterThanOrEqual(4); // two counter expressions, packets and bytes each
    const messages = netlinkMessages(data);
    for (const [start, end] of extra) {
      const message = messages.find((candidate) => candidate.start <= start && end <= candidate.end);
      expect(message?.family, `range at ${start}`).toBe(NFPROTO.inet);
    }
  });

  test('broken UNSPEC dumps are parse failures, never exceptions', () => {
    for (let length = 0; length < data.length; length += 3) {
      const cut = data.subarray(0, length);
      for (const { family } of families) {
        const result = parseNftablesRuleset(cut, { family });
        if (!result.ok) expect(result.error.kind).toBe('parse');
      }
      const ranges = nftablesCounterRanges(cut);
      if (!ranges.ok) expect(ranges.error.kind).toBe('parse');
    }
    // cut before the last dump's NLMSG_DONE, inside the last rule message
    const last = netlinkMessages(data).at(-1);
    expect(last?.type).toBe(3);
    expect(parseNftablesRuleset(data.subarray(0, (last?.start ?? 0) - 1), { family: 'ipv4' }).ok).toBe(false);
  });
});

describe('link dump with IFLA_STATS64 equals /proc/net/dev of the same moment', () => {
  const data = bytes('router.rtnetlink-stats.bin');

  test('same devices in the same order, same 16 counters each', () => {
    const rows = valueOf(rtnetlinkNetDev(data));
    expect(rows).toEqual(valueOf(parseProcNetDev(text('router.proc-net-dev.txt'))));
    expect(rows.map((row) => row.device)).toEqual(valueOf(rtnetlinkLinks(data)).map((link) => link.device));
    expect(rows.map((row) => row.device)).toEqual(['lo', 'qg-test', 'q"r\\x😀']);
    const veth = rows.find((row) => row.device === 'qg-test');
    expect(veth?.transmit.packets).toBeGreaterThan(0);
    expect(veth?.receive.packets).toBeGreaterThan(0);
  });

  test('a dump cut before NLMSG_DONE is a parse failure, not a throw', () => {
    const done = netlinkMessages(data).find((message) => message.type === 3);
    expect(done).toBeDefined();
    const result = rtnetlinkNetDev(data.subarray(0, done?.start ?? 0));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toEqual({ kind: 'parse', detail: 'rtnetlink: dump has no NLMSG_DONE (truncated)' });
    // every shorter prefix fails: it either lacks NLMSG_DONE or cuts a message
    for (let length = 0; length < data.length; length++) {
      const prefix = rtnetlinkNetDev(data.subarray(0, length));
      expect(prefix.ok, `prefix of ${length} bytes`).toBe(false);
    }
  });

  test('flipped bytes never throw', () => {
    for (let offset = 0; offset < data.length; offset += 5) {
      const copy = Buffer.from(data);
      copy[offset] = (copy[offset] as number) ^ 0xff;
      expect(() => rtnetlinkNetDev(copy)).not.toThrow();
    }
  });
});
