// netns_info's holder labels: appended after the labels file's, only those with a value, and never
// a second label of a name the labels file already sets.
import { expect, test } from 'vitest';
import { withHolderLabels } from '../../src/exposition/holder-labels.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';

const ID = '445b1cafdd2c06a0229f736befe1574db406ad8a0a07634852fbc37cd99416b9';
const base: NetnsRef = {
  name: 'net:[4026532999]',
  path: '/proc/7/ns/net',
  dev: 4,
  inode: 4026532999,
  kind: 'other',
  id: '',
  source: 'process',
};

test('no holder: the labels file labels as they are', () => {
  const extra = [['project', 'demo']] as const;
  expect(withHolderLabels(base, extra)).toBe(extra);
  expect(withHolderLabels(base, undefined)).toEqual([]);
});

test('a container: holder and container_id after the labels file labels; no empty pod_uid', () => {
  const ns = { ...base, holder: { pid: 7, comm: 'sleep', cgroup: `0::/libpod_parent/libpod-${ID}\n` } };
  expect(withHolderLabels(ns, [['project', 'demo']])).toEqual([
    ['project', 'demo'],
    ['holder', 'sleep'],
    ['container_id', ID],
  ]);
});

test('an unknown cgroup: the name alone', () => {
  const ns = { ...base, holder: { pid: 7, comm: 'dhclient', cgroup: '0::/system.slice/foo.service\n' } };
  expect(withHolderLabels(ns, undefined)).toEqual([['holder', 'dhclient']]);
});

test('a name the labels file sets is left to it', () => {
  const ns = { ...base, holder: { pid: 7, comm: 'sleep', cgroup: '' } };
  expect(withHolderLabels(ns, [['holder', 'mine']])).toEqual([['holder', 'mine']]);
});
