// Interface attributes: name, operstate, MTU, address, carrier changes. exec: `ip -j -s -s link
// show` (only with -s -s does ip print carrier_changes); native: the link dump.

import type { LinkRecord } from '../model/records/links.js';
import { parseIpLinkJson } from '../parsers/ip-link-json.js';
import { parseRtnetlinkLinkTable } from '../parsers/netlink/rtnetlink-links.js';
import { parsed } from '../parsers/parse-result.js';
import { LINK_DUMP, LINK_DUMP_LAYOUT } from './link-dump.js';
import { defineSource } from './source.js';

export interface LinksTable {
  readonly links: readonly LinkRecord[];
  /** Native only: where each link's carrier change count is in the dump (-1: none); counter kind CARRIER_CHANGES_KIND. */
  readonly carrierChangesAt?: readonly number[];
}

export const linksSource = defineSource<LinksTable>({
  name: 'links',
  exec: {
    read: { kind: 'tool', argv: ['ip', '-j', '-s', '-s', 'link', 'show'] },
    parse: (data) => {
      const links = parseIpLinkJson(data.toString('utf8'));
      return links.ok ? parsed({ links: links.value }) : links;
    },
  },
  native: {
    read: LINK_DUMP,
    parse: parseRtnetlinkLinkTable,
    // its records stay valid exactly as long as the dump's shape holds; carrier counts are counters
    layout: LINK_DUMP_LAYOUT,
  },
});
