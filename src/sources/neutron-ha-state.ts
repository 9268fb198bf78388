// Neutron's L3 HA state of a router: <ha_confs>/<router id>/state on the host, written by the L3
// agent (neutron/agent/l3/ha.py). Read in the exporter's own mount namespace by either backend,
// with the file's modification time (the host reader's), which says when it was last written.

import { join } from 'node:path/posix';
import type { HaStateFile } from '../model/records/neutron-ha.js';
import type { NetnsRef } from '../model/netns-ref.js';
import { parseHaState } from '../parsers/neutron-ha-state.js';
import { defineHostSource, type HostSource } from './source.js';

/** Router ids are UUIDs; anything else (a hand-made `qrouter-..`) must not become a path. */
const ROUTER_ID = /^[0-9A-Fa-f-]{1,64}$/;

/**
 * The state files under `haConfsDir` (--neutron.ha-confs-dir). Made once at start by the neutron_ha
 * collector's options, so one exporter has one declaration per directory and nothing is cached here.
 */
export function neutronHaStateSource(haConfsDir: string): HostSource<HaStateFile> {
  return defineHostSource<HaStateFile>({
    name: 'neutron-ha-state',
    host: {
      path: (ns: NetnsRef) => (ns.kind === 'qrouter' && ROUTER_ID.test(ns.id) ? join(haConfsDir, ns.id, 'state') : undefined),
      parse: (data, file) => {
        const state = parseHaState(data.toString('utf8'));
        return state.ok ? { ok: true, value: { state: state.value, modifiedSeconds: file.modifiedSeconds } } : state;
      },
    },
  });
}
