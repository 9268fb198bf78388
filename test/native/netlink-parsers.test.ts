// The netlink and x_tables parsers on bytes captured from real namespaces (test/fixtures/netlink,
// see SOURCES.md), compared with what the tools printed for the same namespace at the same moment.
// No root needed.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { IptablesTable } from '../../src/parsers/netlink/iptables-model.js';
import { parseNftablesRuleset } from '../../src/parsers/netlink/nftables-ruleset.js';
import { parseRtnetlinkLinks } from '../../src/parsers/netlink/rtnetlink-links.js';
import { parseXtablesEntries, xtablesHasNoTables } from '../../src/parsers/netlink/xtables-entries.js';
import type { ParseResult } from '../../src/parsers/parse-result.js';
import { readCounter } from '../../src/parsers/reading-shape.js';
import { ipLinkModel, iptablesSaveModel, withoutOffsets } from './reference-models.js';

const fixtureDir = new URL('../fixtures/netlink/', import.meta.url);
const bytes = (name: string): Buffer => readFileSync(new URL(name, fixtureDir));
const text = (name: string): string => readFileSync(new URL(name, fixtureDir), 'utf8');

// the exec backend's parser, once it exists: the native model must equal it too
const textParserPath = fileURLToPath(new URL('../../src/parsers/iptables-save.ts', import.meta.url));
type TextParser = (text: string) => ParseResult<IptablesTable[]>;
async function execParser(): Promise<TextParser | undefined> {
  if (!existsSync(textParserPath)) return undefined;
  const specifier = '../../src/parsers/iptables-save.js';
  const module = (await import(specifier)) as { parseIptablesSave: TextParser };
  return module.parseIptablesSave;
}

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

const rulesetCases = [
  { name: 'nft ipv4 router', bin: 'router-nft-ipv4.nfnetlink.bin', save: 'router-nft-ipv4.iptables-nft-save.txt', parse: parseNftablesRuleset },
  { name: 'nft ipv6 router', bin: 'router-nft-ipv6.nfnetlink.bin', save: 'router-nft-ipv6.ip6tables-nft-save.txt', parse: parseNftablesRuleset },
  { name: 'legacy ipv4 router', bin: 'router-legacy-ipv4.xt-entries.bin', save: 'router-legacy-ipv4.iptables-legacy-save.txt', parse: parseXtablesEntries },
  { name: 'legacy ipv6 router', bin: 'router-legacy-ipv6.xt-entries.bin', save: 'router-legacy-ipv6.ip6tables-legacy-save.txt', parse: parseXtablesEntries },
  { name: 'nft foreign tables and chains', bin: 'foreign-nft-ipv4.nfnetlink.bin', save: 'foreign-nft-ipv4.iptables-nft-save.txt', parse: parseNftablesRuleset },
  { name: 'nft fresh namespace', bin: 'fresh-nft-ipv4.nfnetlink.bin', save: 'fresh-nft-ipv4.iptables-nft-save.txt', parse: parseNftablesRuleset },
] as const;

describe('rulesets equal iptables-save -c of the same moment', () => {
  for (const c of rulesetCases) {
    test(c.name, async () => {
      const data = bytes(c.bin);
      const parsedTables = valueOf(c.parse(data));
      const model = withoutOffsets(parsedTables);
      expect(model).toEqual(iptablesSaveModel(text(c.save)));
      // every counter of a chain the kernel has, and of every rule, says where it was read
      const bigEndian = c.parse === parseNftablesRuleset;
      for (const chain of parsedTables.flatMap((table) => table.chains)) {
        if (chain.policyCountersAt) {
          expect(readCounter(data, chain.policyCountersAt.packets, bigEndian)).toBe(chain.policyPackets);
          expect(readCounter(data, chain.policyCountersAt.bytes, bigEndian)).toBe(chain.policyBytes);
        }
        for (const rule of chain.rules) {
          expect(rule.countersAt, `${chain.name} rule ${rule.position}`).toBeDefined();
          expect(readCounter(data, rule.countersAt?.packets ?? -1, bigEndian)).toBe(rule.packets);
          expect(readCounter(data, rule.countersAt?.bytes ?? -1, bigEndian)).toBe(rule.bytes);
        }
      }
      const parseText = await execParser();
      if (parseText) expect(model).toEqual(valueOf(parseText(text(c.save))));
    });
  }

  test('the router fixtures hold what parity must cover', () => {
    const nft = valueOf(parseNftablesRuleset(bytes('router-nft-ipv4.nfnetlink.bin')));
    const rules = nft.flatMap((table) => table.chains.flatMap((chain) => chain.rules));
    const targets = new Set(rules.map((rule) => rule.target));
    for (const target of ['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG', 'NFLOG', 'MARK', 'CONNMARK', 'CT', 'SNAT', 'DNAT', 'MASQUERADE', 'REDIRECT', 'neutron-l3-agent-INPUT', '']) {
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
    const links = valueOf(parseRtnetlinkLinks(bytes('router.rtnetlink.bin')));
    expect(links).toEqual(ipLinkModel(text('router.ip-link.json')));
    expect(links.map((link) => link.operstate)).toEqual(expect.arrayContaining(['UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN']));
    expect(links.map((link) => link.device)).toContain('q"r\\x😀');
    expect(links.find((link) => link.linkType === 'none')?.address).toBe('');
  });
});

describe('broken input is a parse failure, never an exception', () => {
  const inputs = [
    { name: 'links', data: bytes('router.rtnetlink.bin'), parse: parseRtnetlinkLinks },
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
