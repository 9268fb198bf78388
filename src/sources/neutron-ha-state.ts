// Neutron's L3 HA state of a router: <ha_confs>/<router id>/state on the host, written by the L3
// agent (neutron/agent/l3/ha.py). Read in the exporter's own mount namespace by either backend.

import { join } from 'node:path/posix';
import type { NetnsRef } from '../model/netns-ref.js';
import { parseHaState, type HaState } from '../parsers/neutron-ha-state.js';
import { defineHostSource, type HostSource } from './source.js';

/** Router ids are UUIDs; anything else (a hand-made `qrouter-..`) must not become a path. */
const ROUTER_ID = /^[0-9A-Fa-f-]{1,64}$/;

/** One declaration per directory, so that the collector's sources and its input are the same object. */
const byDirectory = new Map<string, HostSource<HaState>>();

export function neutronHaStateSource(haConfsDir: string): HostSource<HaState> {
  let source = byDirectory.get(haConfsDir);
  if (source === undefined) {
    source = defineHostSource<HaState>({
      name: 'neutron-ha-state',
      host: {
        path: (ns: NetnsRef) => (ns.kind === 'qrouter' && ROUTER_ID.test(ns.id) ? join(haConfsDir, ns.id, 'state') : undefined),
        parse: (data) => parseHaState(data.toString('utf8')),
      },
    });
    byDirectory.set(haConfsDir, source);
  }
  return source;
}
