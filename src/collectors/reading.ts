// Small shared steps every collector takes with a Reading: get its text, or say why there is none.

import type { ParseResult } from '../parsers/parse-result.js';
import type { RawFormat, Reading, ReaderError, ReadRequest } from '../readers/reader.js';

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

/** Parsers by the raw format a reader returned (exec: tool output; native: netlink bytes). */
export type ParsersByFormat<T> = Partial<Record<RawFormat, (data: Buffer) => ParseResult<T>>>;

/** Parses a successful reading with the parser for its format; a format without one is a parse error. */
export function parseReading<T>(reading: Extract<Reading, { ok: true }>, parsers: ParsersByFormat<T>): ParseResult<T> {
  const parser = parsers[reading.format];
  return parser ? parser(reading.data) : { ok: false, error: { kind: 'parse', detail: `no parser for format ${reading.format}` } };
}
