// Which namespace `inspect <router>` means: a namespace name, a Neutron id or a unique prefix of one
// (as git takes a commit), or a name from --netns.labels-file (any label called `name` or ending in
// `_name`: router_name, network_name). Exact matches win over prefixes. Several namespaces of one
// router id (a DVR node's qrouter- and snat-) mean its qrouter- one; pick another by its full name.

import type { ExtraLabels } from '../model/records/labels.js';
import type { NetnsRef } from '../model/netns-ref.js';

export type Resolution =
  | { readonly kind: 'found'; readonly ns: NetnsRef }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'ambiguous'; readonly reason: string; readonly candidates: readonly NetnsRef[] };

const isNameLabel = (label: string): boolean => label === 'name' || label.endsWith('_name');

export function resolveRouter(wanted: string, namespaces: readonly NetnsRef[], labelsOf: (ns: NetnsRef) => ExtraLabels): Resolution {
  if (wanted === '')
    return { kind: 'unknown', reason: 'the router is empty: give a namespace name, a router id (or a prefix of one) or a name' };
  const byName = namespaces.find((ns) => ns.name === wanted);
  if (byName) return { kind: 'found', ns: byName };
  const steps: readonly [string, (ns: NetnsRef) => boolean][] = [
    ['are named', (ns) => labelsOf(ns).some(([label, value]) => isNameLabel(label) && value === wanted)],
    ['have the id', (ns) => ns.id !== '' && ns.id === wanted],
    ['start with', (ns) => ns.name.startsWith(wanted) || (ns.id !== '' && ns.id.startsWith(wanted))],
  ];
  for (const [how, matches] of steps) {
    const found = namespaces.filter(matches);
    if (found.length === 0) continue;
    const one = found.length === 1 ? found[0] : oneRouter(found);
    if (one) return { kind: 'found', ns: one };
    const candidates = [...found].sort((a, b) => a.name.localeCompare(b.name));
    return {
      kind: 'ambiguous',
      reason: `${JSON.stringify(wanted)} is ambiguous: ${found.length} namespaces ${how} it: ${candidates.map((ns) => ns.name).join(', ')}`,
      candidates,
    };
  }
  return {
    kind: 'unknown',
    reason: `no namespace ${JSON.stringify(wanted)} on this host (by name, router id or prefix, or name in the labels file; ${namespaces.length} namespaces seen)`,
  };
}

/** The qrouter- namespace when every match is a namespace of one Neutron id. */
function oneRouter(found: readonly NetnsRef[]): NetnsRef | undefined {
  const id = found[0]?.id;
  if (id === undefined || id === '' || !found.every((ns) => ns.id === id)) return undefined;
  const routers = found.filter((ns) => ns.kind === 'qrouter');
  return routers.length === 1 ? routers[0] : undefined;
}
