// netns_info's labels for the process holding a namespace that no Neutron name explains
// (NetnsRef.holder): its name and, where its cgroup says, its container and Kubernetes pod. Added
// after the labels file's, and only those with a value (an empty label is no label to Prometheus),
// so the netns_info lines of every other namespace stay as they were.

import type { NetnsRef } from '../model/netns-ref.js';
import { parseCgroupIdentity } from '../parsers/proc-cgroup.js';

type Labels = readonly (readonly [string, string])[];

const NONE: Labels = [];

/** `extra` (the labels file's) and then the holder's: holder, container_id, pod_uid. A name `extra` sets is left to it. */
export function withHolderLabels(ns: NetnsRef, extra: Labels | undefined): Labels {
  const holder = ns.holder;
  if (holder === undefined) return extra ?? NONE;
  const { containerId, podUid } = parseCgroupIdentity(holder.cgroup);
  const own: [string, string][] = [
    ['holder', holder.comm],
    ['container_id', containerId],
    ['pod_uid', podUid],
  ];
  const given = extra ?? NONE;
  const added = own.filter(([name, value]) => value !== '' && !given.some(([other]) => other === name));
  return added.length === 0 ? given : [...given, ...added];
}
