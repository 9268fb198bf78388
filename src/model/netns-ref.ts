// What discovery knows about one network namespace: how to enter it, what to call it and, when
// asked, which processes live in it.

import type { NetnsHolder, NetnsProcess } from './records/processes.js';

/** Neutron's namespace kinds (from the name prefix), plus the exporter's own namespace and everything else. */
export type NetnsKind = 'qrouter' | 'qdhcp' | 'snat' | 'fip' | 'qlbaas' | 'ovnmeta' | 'host' | 'other';

export interface NetnsRef {
  /** Label value: the file name under a netns directory, `net:[<inode>]` for one held only by a process, or `host`. */
  readonly name: string;
  /** A path that, opened, yields the namespace: /run/netns/<name> or /proc/<pid>/ns/net. */
  readonly path: string;
  /** Identity: two paths are the same namespace exactly when device and inode match. */
  readonly dev: number;
  readonly inode: number;
  readonly kind: NetnsKind;
  /** The UUID (or other id) after the Neutron prefix; empty for other kinds. */
  readonly id: string;
  /** Where it was found. */
  readonly source: 'named' | 'process' | 'host';
  /**
   * The processes living in it when discovery walked /proc, lowest pid first (DiscoveryOptions.listProcesses);
   * undefined when their list is not known: not asked for, the exporter's own namespace, or /proc unreadable.
   */
  readonly processes?: readonly NetnsProcess[];
  /**
   * For kind `other` (no Neutron name says what it is): the lowest pid living in it, when discovery
   * walked /proc and may examine every process; undefined otherwise.
   */
  readonly holder?: NetnsHolder;
}
