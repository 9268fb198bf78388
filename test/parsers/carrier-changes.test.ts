// Carrier change counts from both backends' link inputs, captured at the same moment in the router
// diagnostics namespace (test/fixtures/diagnostics, SOURCES.md): `ip -j -s -s link show` (the exec
// argv that prints carrier_changes) and the native reader's link dump (getLinkDumpRequest()).
// capture-diagnostics.ts flapped qr-diag twice after the veths came up.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseIpLinkJson } from '../../src/parsers/ip-link-json.js';
import { CARRIER_CHANGES_KIND, LINK_DUMP_LAYOUT } from '../../src/sources/link-dump.js';
import { rtnetlinkInterfaces, rtnetlinkLinks } from '../support/rtnetlink.js';
import { expectParse } from './expect-parse.js';
import { readFixture } from './read-fixture.js';

const dump = readFileSync(new URL('../fixtures/diagnostics/router.links.rtnetlink.bin', import.meta.url));
const json = readFixture('diagnostics/router.ip-link-s-s.json');

// veth: 2 when it comes up (down -> up of each end); qr-diag: 2 more per down/up of the router end
const CHANGES = [
  ['lo', 0],
  ['qg-diag', 2],
  ['qr-diag', 6],
  ['q"r\\😀', 2],
  ['qr-noarp', 2],
];

describe('carrierChanges', () => {
  test('link dump and ip -j -s -s link agree', () => {
    const native = expectParse(rtnetlinkLinks(dump), undefined) ?? [];
    const exec = expectParse(parseIpLinkJson(json), undefined) ?? [];
    expect(native.map((link) => [link.device, link.carrierChanges])).toEqual(CHANGES);
    expect(exec).toEqual(native);
  });

  test('the offsets read the same counts again (what a memo of the links must do)', () => {
    const { links, carrierChangesAt, counters } = expectParse(rtnetlinkInterfaces(dump), undefined) ?? {
      links: [],
      carrierChangesAt: [],
      counters: [],
    };
    expect(carrierChangesAt).toHaveLength(links.length);
    expect(counters).toHaveLength(links.length);
    const view = new DataView(dump.buffer, dump.byteOffset, dump.byteLength);
    expect(carrierChangesAt.map((at) => LINK_DUMP_LAYOUT.readCounter(view, at, CARRIER_CHANGES_KIND))).toEqual(
      links.map((link) => link.carrierChanges),
    );
  });

  test('ip -j link without -s -s has none, ip -j -s link neither', () => {
    const plain = readFixture('ip-link/neutron-router.json');
    const stats = readFixture('ip-link/neutron-router-stats.json');
    for (const text of [plain, stats])
      expect((expectParse(parseIpLinkJson(text), undefined) ?? []).map((link) => 'carrierChanges' in link)).not.toContain(true);
  });

  test('a malformed carrier_changes is a parse error', () => {
    const broken = json.replace('"carrier_changes":6', '"carrier_changes":"6"');
    expect(broken).not.toBe(json);
    expectParse(
      parseIpLinkJson(broken),
      /^ip -j link: interface #3: \("qr-diag"\) "stats64"."tx"."carrier_changes" is not a non-negative integer$/,
    );
  });
});
