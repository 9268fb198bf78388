// The check every table-driven parser test makes first: a case that names an error must get a
// `parse` error whose detail matches it; any other case must parse. Returns the value, or undefined
// when the case was an error case (then the caller has nothing more to check).
import { expect } from 'vitest';
import type { ParseResult } from '../../src/parsers/parse-result.js';

export function expectParse<T>(result: ParseResult<T>, error: RegExp | undefined): T | undefined {
  if (error !== undefined) {
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe('parse');
      expect(result.error.detail).toMatch(error);
    }
    return undefined;
  }
  expect(result.ok, result.ok ? '' : result.error.detail).toBe(true);
  return result.ok ? result.value : undefined;
}
