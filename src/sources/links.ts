// Interface attributes: name, operstate, MTU, address. exec: `ip -j link show`; native: the link dump.

import { parseIpLinkJson, type LinkRecord } from '../parsers/ip-link-json.js';
import { parseRtnetlinkLinks } from '../parsers/netlink/rtnetlink-links.js';
import { LINK_DUMP, LINK_DUMP_LAYOUT } from './link-dump.js';
import { defineSource } from './source.js';

export const linksSource = defineSource<readonly LinkRecord[]>({
  name: 'links',
  exec: {
    read: { kind: 'tool', argv: ['ip', '-j', 'link', 'show'] },
    parse: (data) => parseIpLinkJson(data.toString('utf8')),
  },
  native: {
    read: LINK_DUMP,
    parse: parseRtnetlinkLinks,
    // no counters of its own, but its records stay valid exactly as long as the dump's shape holds
    layout: LINK_DUMP_LAYOUT,
  },
});
