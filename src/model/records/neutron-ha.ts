// This host's role for a Neutron L3 HA router (parsers/neutron-ha-state.ts).

/** 'unknown': the file is empty, which the agent's own reader (ha_state) also reports as 'unknown'. */
export type HaState = 'primary' | 'backup' | 'fault' | 'unknown';

/** A router's state file as the host reader found it: the role it says, and when it was last written. */
export interface HaStateFile {
  readonly state: HaState;
  /** The file's mtime, seconds since the epoch: its last write, a role change or a rewrite of the same role. */
  readonly modifiedSeconds: number;
}
