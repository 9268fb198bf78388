// Traffic control: the qdiscs of every device and the actions of the filters on each device's ingress
// hook (Neutron QoS: a tbf or htb on a qg- port, an ingress police filter). exec: a constant script
// around `tc -s -j` (filters are listed one device at a time, so it names the devices with an ingress
// or clsact qdisc from `tc qdisc show`); native: link and qdisc dumps, then the addon's per-device
// filter dumps. `tc` missing is a failure of this source (127, "not found"), as for `ip`.

import type { TcTable } from '../model/records/tc.js';
import { parseRtnetlinkTc } from '../parsers/netlink/rtnetlink-tc.js';
import { parseTcScriptOutput } from '../parsers/tc-json.js';
import { getTcDumpRequests, NETLINK_ROUTE } from './netlink-requests.js';
import { defineSource } from './source.js';

/**
 * Run as `sh -c TC_SCRIPT tc` inside the namespace; output as parsers/tc-json.ts reads it. No
 * argument reaches it; `set -f` because the names it splits are device names ("*" is a valid one).
 * In `tc qdisc show` text the device is the fifth word ("qdisc ingress ffff: dev qg-x parent ...").
 * The first tc that fails ends it with its status.
 */
export const TC_SCRIPT = `set -f
tc -s -j qdisc show || exit
list=$(tc qdisc show) || exit
for dev in $(printf '%s\\n' "$list" | awk '$1 == "qdisc" && ($2 == "ingress" || $2 == "clsact") && $4 == "dev" { print $5 }'); do
  printf 'ingress-filters %s\\n' "$dev"
  tc -s -j filter show dev "$dev" ingress || exit
done
`;

export const tcSource = defineSource<TcTable>({
  name: 'tc',
  exec: {
    read: { kind: 'tool', argv: ['sh', '-c', TC_SCRIPT, 'tc'], description: 'tc -s -j qdisc/filter show (script)' },
    parse: (data) => parseTcScriptOutput(data.toString('utf8')),
  },
  native: {
    read: { kind: 'netlink', protocol: NETLINK_ROUTE, messages: getTcDumpRequests(), ingressFilters: true },
    parse: parseRtnetlinkTc,
  },
});
