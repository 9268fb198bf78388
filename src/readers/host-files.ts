// Reads host sources: files of the exporter's own mount namespace about a namespace (Neutron's HA
// state file of a router), the same for both backends, through the one host file reader
// (host/host-file.ts), each with its modification time. Never rejects: a missing file is "not
// present", anything else a failure of that source alone.

import { readHostFileAndTime } from '../host/host-file.js';
import type { NetnsRef } from '../model/netns-ref.js';
import type { HostSource } from '../sources/source.js';
import type { Reading } from './reader.js';

/** A state file is a word; anything near this size is not one, and is not read whole. */
const MAX_BYTES = 4096;

/** `key`: the reading's key (Reading), which the caller numbers after the namespace's own sources. */
export async function readHostSource(ns: NetnsRef, source: HostSource<unknown>, key: number): Promise<Reading> {
  const path = source.host.path(ns);
  if (path === undefined) return { ok: false, error: { kind: 'not-present', detail: `${source.name}: none for ${ns.kind} namespaces` } };
  const read = await readHostFileAndTime(path, MAX_BYTES);
  if (read.ok) return { ok: true, data: read.data, declaration: source.host, key, file: { modifiedSeconds: read.modifiedSeconds } };
  // no file, or no directory of that name: not an HA router, or no L3 agent on this host
  if (read.code === 'ENOENT' || read.code === 'ENOTDIR')
    return { ok: false, error: { kind: 'not-present', detail: `${source.name}: ${path}: ${read.code}` } };
  return { ok: false, error: { kind: 'tool-failed', detail: `${source.name}: ${path}: ${read.code}` } };
}
