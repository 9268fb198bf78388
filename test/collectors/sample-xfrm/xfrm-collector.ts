// The sample collector (README, "Adding a collector"; in a real collector this file is
// src/collectors/xfrm.ts): IPsec (XFRM) errors of each namespace, where Neutron's VPNaaS routers
// terminate their tunnels. Everything about it is here: its flag, its source, its family.

import { defineCollector } from '../../../src/collectors/collector.js';
import { regexFlag } from '../../../src/collectors/flag.js';
import { nameFilter } from '../../../src/model/config.js';
import { family } from '../../../src/model/snapshot.js';
import { xfrmStatSource } from './xfrm-source.js';

export const xfrmExcludeFlag = regexFlag('xfrm.statistics.exclude', 'do not report XFRM statistics whose name matches (e.g. ^XfrmFwd)');

const errorsFamily = family('netns_xfrm_errors_total', 'counter', 'IPsec (XFRM) errors by statistic, as in /proc/net/xfrm_stat inside the namespace.', ['netns', 'statistic']);

export const xfrmCollector = defineCollector<{ readonly reported: (statistic: string) => boolean }>({
  name: 'xfrm',
  description: 'IPsec (XFRM) error counters (/proc/net/xfrm_stat)',
  defaultEnabled: true,
  flags: [xfrmExcludeFlag],
  options: (flag) => ({ reported: nameFilter(undefined, flag(xfrmExcludeFlag)) }),
  families: [errorsFamily],
  sources: () => [xfrmStatSource],
  collect({ ns, options, intern }, input, out) {
    for (const { statistic, value, at } of input(xfrmStatSource) ?? []) {
      if (options.reported(statistic)) out.counter(errorsFamily, [ns.name, intern(statistic)], value, xfrmStatSource, at);
    }
  },
});
