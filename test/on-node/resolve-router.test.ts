// Which namespace `inspect <router>` means: exact names first, then label names, ids, and unique
// prefixes; ambiguity lists the candidates. Pure; no root.
import { expect, test } from 'vitest';
import { classifyNetnsName } from '../../src/discovery/netns-kind.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import { resolveRouter } from '../../src/on-node/resolve-router.js';

const ns = (name: string, inode: number): NetnsRef => ({
  name,
  path: `/run/netns/${name}`,
  dev: 4,
  inode,
  source: 'named',
  ...classifyNetnsName(name),
});

const NAMESPACES = [
  ns('qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10', 1),
  ns('snat-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10', 2),
  ns('qrouter-5d2a0000-1111-2222-3333-444444444444', 3),
  ns('qdhcp-8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77', 4),
  ns('edge', 5),
];
const labels = (ref: NetnsRef) => (ref.id.startsWith('5d2a') ? [['router_name', 'edge'] as const, ['project', 'demo'] as const] : []);
const resolve = (wanted: string) => resolveRouter(wanted, NAMESPACES, labels);
const found = (wanted: string) => {
  const result = resolve(wanted);
  return result.kind === 'found' ? result.ns.name : result.kind;
};

test('an exact namespace name wins, even over a label name', () => {
  expect(found('edge')).toBe('edge');
  expect(found('snat-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10')).toBe('snat-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10');
});

test('a router id or a unique prefix of it means its qrouter- namespace (not its snat- one)', () => {
  expect(found('5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10')).toBe('qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10');
  expect(found('5d2c')).toBe('qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10');
  expect(found('8e1f')).toBe('qdhcp-8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77');
  expect(found('qdhcp-8e')).toBe('qdhcp-8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77');
});

test('a name from the labels file (a *_name label, not any label)', () => {
  const byLabel = resolveRouter('edge', NAMESPACES.slice(0, 4), labels);
  expect(byLabel.kind === 'found' && byLabel.ns.inode).toBe(3);
  expect(resolveRouter('demo', NAMESPACES.slice(0, 4), labels).kind).toBe('unknown');
});

test('an ambiguous prefix lists every candidate, in name order', () => {
  const result = resolve('5d2');
  expect(result.kind).toBe('ambiguous');
  if (result.kind !== 'ambiguous') return;
  expect(result.candidates.map((candidate) => candidate.inode)).toEqual([3, 1, 2]);
  expect(result.reason).toBe(
    '"5d2" is ambiguous: 3 namespaces start with it: qrouter-5d2a0000-1111-2222-3333-444444444444, ' +
      'qrouter-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10, snat-5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10',
  );
});

test('unknown and empty', () => {
  expect(resolve('ffff')).toEqual({ kind: 'unknown', reason: expect.stringContaining('no namespace "ffff" on this host') });
  expect(resolve('').kind).toBe('unknown');
});
