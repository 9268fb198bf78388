// What the neutron_ha collector remembers of a router from one scrape to the next: the role it last
// saw, when that role was written, and how many role changes it has seen since the exporter started.
//
// The state file's mtime alone is not the time of the last change: the L3 agent writes the role it
// finds when it (or neutron-keepalived-state-change) starts, the same role as before, and that moves
// the mtime too. So the time moves only when the file names another role than the one last seen, to
// the mtime of that write; on first sight (exporter start, a new router) it is the file's mtime, its
// last write, which may be such a rewrite rather than a change. An empty file ('unknown': what a read
// between the agent's truncate and its write finds) names no role: it neither counts as a change nor
// replaces the role last seen, so a read that falls into a write costs no made-up flap.

import type { HaState, HaStateFile } from '../model/records/neutron-ha.js';

/** One router's history as the exporter has seen it; immutable, a new one per change. */
export class HaRoleHistory {
  constructor(
    /** The role last seen; 'unknown' only while the file has named none since first sight. */
    readonly state: HaState,
    /** When that role was written (its write's mtime), or on first sight the file's last write. */
    readonly changedSeconds: number,
    /** Changes from one role to another seen since the exporter started: 0 on first sight. */
    readonly changes: number,
  ) {}
}

/** The history after reading `file`, from the one before (undefined on first sight). */
export function nextHaRoleHistory(last: HaRoleHistory | undefined, file: HaStateFile): HaRoleHistory {
  if (last === undefined) return new HaRoleHistory(file.state, file.modifiedSeconds, 0);
  if (file.state === last.state || file.state === 'unknown') return last;
  // the first role an empty file is followed by is learnt, not changed to
  const changes = last.state === 'unknown' ? last.changes : last.changes + 1;
  return new HaRoleHistory(file.state, file.modifiedSeconds, changes);
}
