// The one reader of host files: bytes or an error code, never a throw; a size cap that reads no more;
// a version that changes when the file is rewritten. On a temporary directory, no root needed.
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hostFileVersion, readHostFile, readHostFileAndTime, readHostFileSync } from '../../src/host/host-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netns-host-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('a file is read whole, or up to the cap', async () => {
  const path = join(dir, 'state');
  await writeFile(path, 'primary');
  expect(await readHostFile(path)).toEqual({ ok: true, data: Buffer.from('primary') });
  expect(await readHostFile(path, 3)).toEqual({ ok: true, data: Buffer.from('pri') });
  expect(readHostFileSync(path)).toEqual({ ok: true, data: Buffer.from('primary') });
});

test('a file /proc reports as empty is read to its end', async () => {
  const read = await readHostFile('/proc/self/status');
  expect(read.ok && read.data.toString('utf8')).toMatch(/^Name:/);
});

test('a missing file or a directory is its error code, not an exception', async () => {
  const missing = join(dir, 'no-such-router', 'state');
  expect(await readHostFile(missing)).toMatchObject({ ok: false, code: 'ENOENT', message: expect.stringContaining(missing) });
  expect(readHostFileSync(missing)).toMatchObject({ ok: false, code: 'ENOENT' });
  expect(await hostFileVersion(missing)).toMatchObject({ ok: false, code: 'ENOENT' });
  expect(await readHostFile(dir)).toMatchObject({ ok: false, code: 'EISDIR' });
  await writeFile(join(dir, 'file'), 'x');
  expect(await readHostFile(join(dir, 'file', 'state'))).toMatchObject({ ok: false, code: 'ENOTDIR' });
});

test('the version changes when the file is rewritten', async () => {
  const path = join(dir, 'labels.yml');
  await writeFile(path, 'a: {x: "1"}\n');
  const before = await hostFileVersion(path);
  expect(await hostFileVersion(path)).toEqual(before);
  await writeFile(path, 'a: {x: "22"}\n');
  const after = await hostFileVersion(path);
  expect(before.ok && after.ok).toBe(true);
  expect(after).not.toEqual(before);
});

test('with its time: the bytes and the mtime the kernel keeps, set or written', async () => {
  const path = join(dir, 'timed-state');
  await writeFile(path, 'backup');
  // a time with a fraction, set by hand: what a write leaves is whatever the clock said
  await utimes(path, 1_700_000_000.25, 1_700_000_100.5);
  expect(await readHostFileAndTime(path, 16)).toEqual({ ok: true, data: Buffer.from('backup'), modifiedSeconds: 1_700_000_100.5 });
  await writeFile(path, 'primary');
  const written = Number((await stat(path, { bigint: true })).mtimeNs) / 1e9;
  expect(written).toBeGreaterThan(1_700_000_100.5);
  expect(await readHostFileAndTime(path, 16)).toEqual({ ok: true, data: Buffer.from('primary'), modifiedSeconds: written });
  expect(await readHostFileAndTime(join(dir, 'no-such-router', 'state'), 16)).toMatchObject({ ok: false, code: 'ENOENT' });
  expect(await readHostFileAndTime(dir, 16)).toMatchObject({ ok: false, code: 'EISDIR' });
});
