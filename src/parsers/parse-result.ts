// The one result shape every pure parser returns: records, or a reason the input did not parse.
// Parsers never throw on bad input; a bad line costs one namespace's collector, not the scrape.

export interface ParseError {
  readonly kind: 'parse';
  /** Human-readable reason with a line number where there is one; goes into logs, never into labels. */
  readonly detail: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ParseError };

export function parsed<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function parseFailure<T = never>(detail: string): ParseResult<T> {
  return { ok: false, error: { kind: 'parse', detail } };
}
