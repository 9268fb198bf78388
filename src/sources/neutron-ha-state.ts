// Neutron's L3 HA state of a router: <ha_confs>/<router id>/state on the host, written by the L3
// agent (neutron/agent/l3/ha.py). Read in the exporter's own mount namespace by either backend.

import { join } from 'node:path/posix';
import type { HaState } from '../model/records/neutron-ha.js';
import type { NetnsRef } from '../model/netns-ref.js';
import { parseHaState } from '../parsers/neutron-ha-state.js';
import { defineHostSource, type HostSource } from './source.js';

/** Router ids are UUIDs; anything else (a hand-made `qrouter-..`) must not become a path. */
const ROUTER_ID = /^[0-9A-Fa-f-]{1,64}$/;

/**
 * The state files under `haConfsDir` (--neutron.ha-confs-dir). Made once at start by the neutron_ha
 * collector's options, so one exporter has one declaration per directory and nothing is cached here.
 */
export function neutronHaStateSource(haConfsDir: string): HostSource<HaState> {
  return defineHostSource<HaState>({
    name: 'neutron-ha-state',
    host: {
      path: (ns: NetnsRef) => (ns.kind === 'qrouter' && ROUTER_ID.test(ns.id) ? join(haConfsDir, ns.id, 'state') : undefined),
      parse: (data) => parseHaState(data.toString('utf8')),
    },
  });
}
