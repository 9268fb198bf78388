// This host's role for a Neutron L3 HA router (parsers/neutron-ha-state.ts).

/** 'unknown': the file is empty, which the agent's own reader (ha_state) also reports as 'unknown'. */
export type HaState = 'primary' | 'backup' | 'fault' | 'unknown';
