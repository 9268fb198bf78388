// The one reader of files of the exporter's own mount namespace (the host's /proc/sys, Neutron's
// ha_confs, --netns.labels-file, the netstat field names at start): it never throws, and a failure
// comes back as its error code, for each caller to say what that means (a missing HA state file is
// "not present", a missing labels file an error). Nothing here enters a namespace: that is readers/.

import { readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** Why a host file could not be had (`code`: ENOENT, EACCES, ...; EIO when the error had none). */
export interface HostFileFailure {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

/** A host file's bytes, or why there are none. */
export type HostFileRead = { readonly ok: true; readonly data: Buffer } | HostFileFailure;

function failure(error: unknown): HostFileFailure {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Reads the file from its start: all of it, or at most `maxBytes` (a file near that size is not what
 * the caller expects, and is not read whole). No stat for its size first: /proc and /sys report 0
 * or 4096, whatever they hold.
 */
export async function readHostFile(path: string, maxBytes?: number): Promise<HostFileRead> {
  try {
    const file = await open(path, 'r');
    try {
      if (maxBytes === undefined) return { ok: true, data: await file.readFile() };
      const buffer = Buffer.alloc(maxBytes);
      const { bytesRead } = await file.read(buffer, 0, maxBytes, 0);
      return { ok: true, data: buffer.subarray(0, bytesRead) };
    } finally {
      await file.close();
    }
  } catch (error) {
    return failure(error);
  }
}

/** A host file's bytes with the time it was last written, or why there are none. */
export type TimedHostFileRead = { readonly ok: true; readonly data: Buffer; readonly modifiedSeconds: number } | HostFileFailure;

/**
 * As readHostFile, with the file's modification time (seconds since the epoch, from its nanoseconds)
 * taken on the same open file after reading it: a write between the two can pair old bytes with the
 * new time, never new bytes with an old time.
 */
export async function readHostFileAndTime(path: string, maxBytes: number): Promise<TimedHostFileRead> {
  try {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes);
      const { bytesRead } = await file.read(buffer, 0, maxBytes, 0);
      const info = await file.stat({ bigint: true });
      return { ok: true, data: buffer.subarray(0, bytesRead), modifiedSeconds: secondsOf(info.mtimeNs) };
    } finally {
      await file.close();
    }
  } catch (error) {
    return failure(error);
  }
}

/** Nanoseconds since the epoch as seconds. */
function secondsOf(nanoseconds: bigint): number {
  return Number(nanoseconds) / 1e9;
}

/** The same, synchronously: only for start-up, before anything is served. */
export function readHostFileSync(path: string): HostFileRead {
  try {
    return { ok: true, data: readFileSync(path) };
  } catch (error) {
    return failure(error);
  }
}

/** What changes when the file is replaced or rewritten (modification time, size, inode), or why it cannot be had. */
export async function hostFileVersion(path: string): Promise<{ readonly ok: true; readonly version: string } | HostFileFailure> {
  try {
    const info = await stat(path);
    return { ok: true, version: `${info.mtimeMs}:${info.size}:${info.ino}` };
  } catch (error) {
    return failure(error);
  }
}
