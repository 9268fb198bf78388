// The L3 HA state file. No Neutron on this machine: the inputs are the bytes the L3 agent writes
// (neutron/agent/l3/ha_router.py, HaRouter.ha_state setter: f.write(state), no newline; "master"
// before Wallaby), the same with an operator's newline, and hand-made garbage (SOURCES.md).
import { describe, test, expect } from 'vitest';
import { parseHaState } from '../../src/parsers/neutron-ha-state.js';
import { expectParse } from './expect-parse.js';

const cases = [
  { input: 'primary', want: 'primary' },
  { input: 'backup', want: 'backup' },
  { input: 'fault', want: 'fault' },
  { input: 'master', want: 'primary' },
  { input: 'primary\n', want: 'primary' },
  { input: 'backup\n', want: 'backup' },
  { input: '', want: 'unknown' },
  { input: '\n', want: 'unknown' }, // an empty line: nothing written yet either
  { input: 'Primary', error: /^line 1: expected primary, backup, master or fault, got "Primary"$/ },
  { input: ' backup', error: /got " backup"/ },
  { input: 'backup\n\n', error: /got "backup\\n"/ },
  { input: 'primaryx', error: /got "primaryx"/ },
  { input: 'unknown', error: /got "unknown"/ },
  { input: 'x'.repeat(100), error: /got "x{40}\.\.\."$/ },
] as const;

describe('parseHaState', () => {
  for (const c of cases) {
    test(JSON.stringify(c.input.slice(0, 20)), () => {
      const value = expectParse(parseHaState(c.input), 'error' in c ? c.error : undefined);
      if ('want' in c) expect(value).toBe(c.want);
    });
  }
});
