// Reads host sources: files of the exporter's own mount namespace about a namespace (Neutron's HA
// state file of a router), the same for both backends. Never rejects: a missing file is "not
// present", anything else a failure of that source alone.

import { open } from 'node:fs/promises';
import type { NetnsRef } from '../model/netns-ref.js';
import type { HostSource } from '../sources/source.js';
import type { Reading } from './reader.js';

/** A state file is a word; anything near this size is not one, and is not read whole. */
const MAX_BYTES = 4096;

/** `key`: the reading's key (Reading), which the caller numbers after the namespace's own sources. */
export async function readHostFile(ns: NetnsRef, source: HostSource<unknown>, key: number): Promise<Reading> {
  const path = source.host.path(ns);
  if (path === undefined) return { ok: false, error: { kind: 'not-present', detail: `${source.name}: none for ${ns.kind} namespaces` } };
  try {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_BYTES);
      const { bytesRead } = await file.read(buffer, 0, MAX_BYTES, 0);
      return { ok: true, data: buffer.subarray(0, bytesRead), declaration: source.host, key };
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // no file, or no directory of that name: not an HA router, or no L3 agent on this host
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, error: { kind: 'not-present', detail: `${source.name}: ${path}: ${code}` } };
    return { ok: false, error: { kind: 'tool-failed', detail: `${source.name}: ${path}: ${code ?? String(error)}` } };
  }
}
