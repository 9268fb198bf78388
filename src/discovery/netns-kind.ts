// Neutron names its namespaces `<kind>-<id>`; the kind and id become labels on netns_info.

import type { NetnsKind } from '../model/netns-ref.js';

// Order does not matter: no prefix is a prefix of another.
const NEUTRON_PREFIXES: readonly (readonly [prefix: string, kind: NetnsKind])[] = [
  ['qrouter-', 'qrouter'],
  ['qdhcp-', 'qdhcp'],
  ['snat-', 'snat'],
  ['fip-', 'fip'],
  ['qlbaas-', 'qlbaas'],
  ['ovnmeta-', 'ovnmeta'],
];

/**
 * Kind and id of a namespace from its name: `qrouter-<uuid>` is kind `qrouter` with id `<uuid>`.
 * The id is whatever follows the prefix, unchecked (Neutron uses UUIDs, but nothing enforces it);
 * any other name is kind `other` with an empty id. Never returns `host`: that kind is decided by
 * identity (the exporter's own namespace), not by name.
 */
export function classifyNetnsName(name: string): { kind: NetnsKind; id: string } {
  for (const [prefix, kind] of NEUTRON_PREFIXES) {
    if (name.startsWith(prefix)) return { kind, id: name.slice(prefix.length) };
  }
  return { kind: 'other', id: '' };
}
