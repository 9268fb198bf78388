// The state file of a Neutron L3 HA router, <ha_confs_path>/<router_id>/state (ha_confs_path defaults
// to $state_path/ha_confs). The L3 agent writes keepalived's view of this node's VRRP instance there
// (neutron/agent/l3/ha_router.py, the HaRouter.ha_state setter: f.write(new_state), no newline) when
// neutron-keepalived-state-change reports a transition: "primary", "backup" or "fault"; releases
// before Wallaby wrote "master", which the agent itself still reads as "primary". A trailing newline
// (an operator's echo) is accepted too.

import type { HaState } from '../model/records/neutron-ha.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const STATES: ReadonlyMap<string, HaState> = new Map([
  ['primary', 'primary'],
  ['master', 'primary'],
  ['backup', 'backup'],
  ['fault', 'fault'],
]);

export function parseHaState(text: string): ParseResult<HaState> {
  const word = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (word === '') return parsed('unknown');
  const state = STATES.get(word);
  if (state === undefined) {
    return parseFailure(
      `line 1: expected primary, backup, master or fault, got ${JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}...` : word)}`,
    );
  }
  return parsed(state);
}
