// Which host is the primary of a Neutron L3 HA router: the L3 agent writes keepalived's view of each
// HA router it hosts to <ha_confs>/<router id>/state ("primary"/"backup", "master" before Wallaby).
// Exported as a state set, one series per state with 1 for the current one, for qrouter namespaces
// that have a state file; no directory (no L3 agent here) or no file (not an HA router): no series.

import type { HaState } from '../model/records/neutron-ha.js';
import { family } from '../model/snapshot.js';
import { neutronHaStateSource } from '../sources/neutron-ha-state.js';
import type { HostSource } from '../sources/source.js';
import { defineCollector } from './collector.js';
import { valueFlag } from './flag.js';

const DEFAULT_HA_CONFS_DIR = '/var/lib/neutron/ha_confs';

export const haConfsDirFlag = valueFlag({
  name: 'neutron.ha-confs-dir',
  placeholder: '<dir>',
  help: "Neutron L3 agent's HA state directory (<dir>/<router id>/state); nothing is reported where it is absent",
  default: DEFAULT_HA_CONFS_DIR,
  parse: (text) => text ?? DEFAULT_HA_CONFS_DIR,
});

const STATES: readonly HaState[] = ['primary', 'backup', 'fault', 'unknown'];

const haStateFamily = family(
  'netns_router_ha_state',
  'gauge',
  "Neutron L3 HA role of this host for the router, from the L3 agent's state file: 1 for the current state, 0 for the others.",
  ['netns', 'id', 'state'],
);

export const neutronHaCollector = defineCollector<{ readonly stateFiles: HostSource<HaState> }>({
  name: 'neutron_ha',
  description: 'Neutron L3 HA router role on this host (<ha_confs>/<router id>/state)',
  defaultEnabled: true,
  flags: [haConfsDirFlag],
  options: (flag) => ({ stateFiles: neutronHaStateSource(flag(haConfsDirFlag)) }),
  families: [haStateFamily],
  sources: ({ stateFiles }) => [stateFiles],
  collect({ ns, options }, input, out) {
    const state = input(options.stateFiles);
    if (state === undefined) return;
    for (const candidate of STATES) out.gauge(haStateFamily, [ns.name, ns.id, candidate], candidate === state ? 1 : 0);
  },
});
