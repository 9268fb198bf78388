// Small shared steps every collector takes with a Reading: get its text, or say why there is none.

import type { Reading, ReaderError, ReadRequest } from '../readers/reader.js';

export type TextOrError = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: ReaderError };

/** The reading's bytes as UTF-8 text, or its error (a missing reading is a reader bug, reported as such). */
export function readingText(reading: Reading | undefined, request: ReadRequest): TextOrError {
  if (reading === undefined) return { ok: false, error: { kind: 'tool-failed', detail: `${request}: not read` } };
  if (!reading.ok) return reading;
  return { ok: true, value: reading.data.toString('utf8') };
}

export function parseFailureError(request: ReadRequest, detail: string): ReaderError {
  return { kind: 'parse', detail: `${request}: ${detail}` };
}
