// Which host is the primary of a Neutron L3 HA router: the L3 agent writes keepalived's view of each
// HA router it hosts to <ha_confs>/<router id>/state ("primary"/"backup", "master" before Wallaby).
// Exported as a state set, one series per state with 1 for the current one, for qrouter namespaces
// that have a state file; no directory (no L3 agent here) or no file (not an HA router): no series.
// Beside it, the history this exporter has seen (neutron-ha-history.ts): when the role last changed
// and how many times, for flapping (keepalived ping-pong) and "failed over 3 minutes ago".

import type { HaState, HaStateFile } from '../model/records/neutron-ha.js';
import { family } from '../model/snapshot.js';
import { neutronHaStateSource } from '../sources/neutron-ha-state.js';
import type { HostSource } from '../sources/source.js';
import { defineCollector } from './collector.js';
import { valueFlag } from './flag.js';
import { HaRoleHistory, nextHaRoleHistory } from './neutron-ha-history.js';

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

const lastChangeFamily = family(
  'netns_router_ha_last_change_timestamp_seconds',
  'gauge',
  "When the router's HA role last changed, as seen by the exporter: the mtime of the state file's write that changed it; since the exporter started (or first saw the router) without a change, the file's last write, which an L3 agent restart also makes.",
  ['netns', 'id'],
);

const changesFamily = family(
  'netns_router_ha_changes_total',
  'counter',
  'HA role changes of the router the exporter has seen in its state file (primary, backup, fault; an empty file is none) since it started or first saw the router.',
  ['netns', 'id'],
);

export const neutronHaCollector = defineCollector<{ readonly stateFiles: HostSource<HaStateFile> }>({
  name: 'neutron_ha',
  description: 'Neutron L3 HA router role on this host (<ha_confs>/<router id>/state), and its changes',
  defaultEnabled: true,
  flags: [haConfsDirFlag],
  options: (flag) => ({ stateFiles: neutronHaStateSource(flag(haConfsDirFlag)) }),
  families: [haStateFamily, lastChangeFamily, changesFamily],
  sources: ({ stateFiles }) => [stateFiles],
  collect({ ns, options, carried, carry }, input, out) {
    const file = input(options.stateFiles);
    if (file === undefined) return; // the history carries on: a file back after a failed read is compared with it
    const labels = [ns.name, ns.id];
    for (const candidate of STATES) out.gauge(haStateFamily, [...labels, candidate], candidate === file.state ? 1 : 0);
    const history = nextHaRoleHistory(carried instanceof HaRoleHistory ? carried : undefined, file);
    carry(history);
    out.gauge(lastChangeFamily, labels, history.changedSeconds);
    out.counter(changesFamily, labels, history.changes, options.stateFiles, undefined);
  },
});
