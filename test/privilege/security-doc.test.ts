// docs/security.md states the capability set; the least-privilege test proves EXEC_BACKEND_CAPABILITIES.
// This keeps the two from drifting: the table, the systemd lines and the setpriv example must all
// name exactly the proven set.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { EXEC_BACKEND_CAPABILITIES } from './unprivileged-user.js';

const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
const proven = EXEC_BACKEND_CAPABILITIES.map((capability) => `CAP_${capability.toUpperCase()}`).sort();

test('the capability table lists exactly the proven set', () => {
  const section = doc.slice(doc.indexOf('## Least privilege'));
  const rows = [...section.matchAll(/^\| `(CAP_[A-Z_]+)` \|/gm)].map((match) => match[1]);
  expect(rows.sort()).toEqual(proven);
});

test('the systemd and setpriv examples grant exactly the proven set', () => {
  for (const key of ['AmbientCapabilities', 'CapabilityBoundingSet']) {
    const line = new RegExp(`^${key}=(.*)$`, 'm').exec(doc)?.[1];
    expect(line?.split(/\s+/).sort(), key).toEqual(proven);
  }
  for (const option of ['inh-caps', 'ambient-caps', 'bounding-set']) {
    const list = new RegExp(`--${option}=-all,(\\S+)`).exec(doc)?.[1];
    expect(
      list
        ?.split(',')
        .map((cap) => `CAP_${cap.replace(/^\+/, '').toUpperCase()}`)
        .sort(),
      option,
    ).toEqual(proven);
  }
});
