// Turns what a read process left behind (a section's exit status and stderr, or nsenter's stderr)
// into a Reading or a ReaderError. Pure.

import type { ReaderError } from '../../model/reader-error.js';
import type { AnyNamespaceSource } from '../../sources/source.js';
import type { Reading } from '../reader.js';
import type { Section } from './framed-output.js';
import { execReadDescription } from './read-script.js';

// Details go into log lines: one line, short enough that a tool spewing errors cannot flood them.
const MAX_DETAIL_CHARS = 240;

// What `timeout -s KILL` returns when it killed the tool: 128 + SIGKILL.
const KILLED_BY_TIMEOUT = 137;

/** `key`: the reading's key (Reading); every exec read serves one source. */
export function sectionToReading(source: AnyNamespaceSource, section: Section, toolTimeoutMs: number, key: number): Reading {
  const tool = execReadDescription(source);
  if (section.status === '0') return { ok: true, data: section.data, declaration: source.exec, key };
  if (section.status === 'absent') return failure('not-present', `${tool}: nothing to read in this namespace`);
  if (section.status === 'unknown') return failure('tool-failed', `read ${source.name} not understood by the read script`);

  const status = Number(section.status);
  const reason = firstLine(section.stderr);
  if (status === KILLED_BY_TIMEOUT) {
    return failure('timeout', `${tool} killed after ${toolTimeoutMs} ms${reason ? `: ${reason}` : ''}`);
  }
  if (status === 126 || status === 127) {
    return failure('tool-failed', `${tool} not found or not executable${reason ? `: ${reason}` : ''}`);
  }
  if (status > 128 && status < 128 + 65) {
    return failure('tool-failed', `${tool} killed by signal ${status - 128}${reason ? `: ${reason}` : ''}`);
  }
  return failure('tool-failed', `${tool} exited with status ${section.status}${reason ? `: ${reason}` : ''}`);
}

/**
 * Why the script never started inside the namespace, from nsenter's stderr (the reader runs it with
 * LC_ALL=C, so the messages are the C library's English ones).
 */
export function enterFailure(nsenterStderr: string, exitDescription: string): ReaderError {
  const reason = firstLine(nsenterStderr) || exitDescription;
  // ENOENT: the name or the process is gone. EINVAL: the path is no longer a namespace (the plain
  // file `ip netns delete` leaves for a moment between unmount and unlink). ESRCH: process exiting.
  if (/No such file or directory|Invalid argument|No such process/.test(nsenterStderr)) {
    return { kind: 'vanished', detail: reason };
  }
  if (/Permission denied|Operation not permitted/.test(nsenterStderr)) return { kind: 'enter-denied', detail: reason };
  return { kind: 'tool-failed', detail: reason };
}

export function failure(kind: ReaderError['kind'], detail: string): Reading {
  return { ok: false, error: { kind, detail: bound(detail) } };
}

/** The first line that says something (tools sometimes start with a blank one), trimmed and bounded. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return bound(line.trim());
}

function bound(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}
