import { describe, expect, test } from 'vitest';
import { classifyNetnsName } from '../../src/discovery/netns-kind.js';

const uuid = '4f1e2a6c-93b7-4a57-9c0e-2f1f3b6d8e10';

const cases = [
  { name: `qrouter-${uuid}`, kind: 'qrouter', id: uuid },
  { name: `qdhcp-${uuid}`, kind: 'qdhcp', id: uuid },
  { name: `snat-${uuid}`, kind: 'snat', id: uuid },
  { name: `fip-${uuid}`, kind: 'fip', id: uuid },
  { name: `qlbaas-${uuid}`, kind: 'qlbaas', id: uuid },
  { name: `ovnmeta-${uuid}`, kind: 'ovnmeta', id: uuid },
  // The id is taken as is, even when it is not a UUID or is empty.
  { name: 'qrouter-', kind: 'qrouter', id: '' },
  { name: 'fip-not-a-uuid', kind: 'fip', id: 'not-a-uuid' },
  // Prefix must be at the start and spelled exactly.
  { name: 'my-qrouter-1', kind: 'other', id: '' },
  { name: 'QROUTER-1', kind: 'other', id: '' },
  { name: 'qrouter', kind: 'other', id: '' },
  { name: 'fip_1', kind: 'other', id: '' },
  { name: 'net:[4026532000]', kind: 'other', id: '' },
  { name: 'host', kind: 'other', id: '' },
  { name: '', kind: 'other', id: '' },
  { name: 'snat-ü $(x)', kind: 'snat', id: 'ü $(x)' },
] as const;

describe('classifyNetnsName', () => {
  for (const c of cases) {
    test(JSON.stringify(c.name), () => {
      expect(classifyNetnsName(c.name)).toEqual({ kind: c.kind, id: c.id });
    });
  }
});
