// The basic auth check with real bcrypt hashes (bcryptjs). bcrypt.compare is watched (called
// through, not replaced) to see when a check really ran bcrypt and when the cache answered.
import bcrypt from 'bcryptjs';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { BasicAuthVerifier, parseBasicAuthorization } from '../../src/server/basic-auth.js';

let aliceHash: string; // cost 8
let bobHash: string; // cost 6, htpasswd's $2y$ spelling

beforeAll(async () => {
  aliceHash = await bcrypt.hash('correct horse', 8);
  bobHash = (await bcrypt.hash('battery staple', 6)).replace(/^\$2[ab]\$/, '$2y$');
});
afterEach(() => vi.restoreAllMocks());

describe('parseBasicAuthorization', () => {
  const encode = (text: string): string => Buffer.from(text).toString('base64');
  const cases = [
    { header: `Basic ${encode('alice:pw')}`, want: { user: 'alice', password: 'pw' } },
    { header: `basic ${encode('alice:pw')}`, want: { user: 'alice', password: 'pw' } },
    { header: `Basic ${encode('alice:p:w:')}`, want: { user: 'alice', password: 'p:w:' } },
    { header: `Basic ${encode('ålice:pässword')}`, want: { user: 'ålice', password: 'pässword' } },
    { header: `Basic ${encode(':')}`, want: { user: '', password: '' } },
    { header: `Basic ${encode('no colon')}`, want: undefined },
    { header: `Bearer ${encode('alice:pw')}`, want: undefined },
    { header: 'Basic not*base64', want: undefined },
    { header: 'Basic', want: undefined },
    { header: undefined, want: undefined },
  ];
  for (const c of cases) test(JSON.stringify(c.header), () => expect(parseBasicAuthorization(c.header)).toEqual(c.want));
});

describe('BasicAuthVerifier', () => {
  const users = (): Map<string, string> =>
    new Map([
      ['alice', aliceHash],
      ['bob', bobHash],
    ]);

  test('right password allowed, wrong password and unknown user denied, $2y$ hashes work', async () => {
    const verifier = new BasicAuthVerifier(users());
    expect(await verifier.verify('alice', 'correct horse')).toBe('allowed');
    expect(await verifier.verify('bob', 'battery staple')).toBe('allowed');
    expect(await verifier.verify('alice', 'battery staple')).toBe('denied');
    expect(await verifier.verify('alice', '')).toBe('denied');
    expect(await verifier.verify('mallory', 'correct horse')).toBe('denied');
    // Alice's password under Bob's name: a cache keyed on the password alone would let this in.
    expect(await verifier.verify('bob', 'correct horse')).toBe('denied');
  });

  test('a verified password is cached: the next check runs no bcrypt, until the entry expires', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const verifier = new BasicAuthVerifier(users(), { cacheTtlMs: 60_000 });
    expect(await verifier.verify('alice', 'correct horse')).toBe('allowed');
    expect(compare).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 5; i++) expect(await verifier.verify('alice', 'correct horse')).toBe('allowed');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(await verifier.verify('alice', 'correct horse', Date.now() + 61_000)).toBe('allowed');
    expect(compare).toHaveBeenCalledTimes(2);
  });

  test('failures are never cached: every wrong guess pays a full bcrypt', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const verifier = new BasicAuthVerifier(users());
    for (let i = 0; i < 3; i++) expect(await verifier.verify('alice', 'guess')).toBe('denied');
    expect(compare).toHaveBeenCalledTimes(3);
  });

  test('an unknown user costs one bcrypt against the most expensive configured hash', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const verifier = new BasicAuthVerifier(users());
    expect(await verifier.verify('mallory', 'whatever')).toBe('denied');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.calls[0]?.[1]).toBe(aliceHash); // cost 8 beats bob's 6

    // And it takes about as long as a known user's wrong password (loose: CI machines are noisy;
    // an early return for unknown users would be ~1000x faster and fail this).
    const time = async (user: string): Promise<number> => {
      const start = performance.now();
      await verifier.verify(user, 'nope');
      return performance.now() - start;
    };
    const known = Math.min(await time('alice'), await time('alice'), await time('alice'));
    const unknown = Math.min(await time('mallory'), await time('mallory'), await time('mallory'));
    expect(known).toBeGreaterThan(3);
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  test('bcrypt runs one at a time and a flood beyond maxWaiting is answered busy, not queued', async () => {
    const verifier = new BasicAuthVerifier(users(), { maxWaiting: 2 });
    // A remembered password still gets in during the flood: the cache is checked before the queue.
    expect(await verifier.verify('bob', 'battery staple')).toBe('allowed');
    const flood = Array.from({ length: 6 }, () => verifier.verify('alice', 'guess'));
    const cachedDuringFlood = verifier.verify('bob', 'battery staple');
    const verdicts = await Promise.all(flood);
    expect(verdicts.filter((v) => v === 'denied')).toHaveLength(2);
    expect(verdicts.filter((v) => v === 'busy')).toHaveLength(4);
    expect(await cachedDuringFlood).toBe('allowed');
    // The queue drains: a later check is served again.
    expect(await verifier.verify('alice', 'correct horse')).toBe('allowed');
  });

  test('the cache is bounded: the oldest entry goes first', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const verifier = new BasicAuthVerifier(users(), { cacheSize: 1 });
    await verifier.verify('alice', 'correct horse');
    await verifier.verify('bob', 'battery staple'); // pushes alice out
    await verifier.verify('bob', 'battery staple'); // cached
    expect(compare).toHaveBeenCalledTimes(2);
    await verifier.verify('alice', 'correct horse'); // bcrypt again
    expect(compare).toHaveBeenCalledTimes(3);
  });
});
