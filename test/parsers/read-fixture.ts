// Fixtures are captured output (see test/fixtures/SOURCES.md, "Parsers"), read as the readers
// deliver it: bytes decoded as UTF-8.

import { readFileSync } from 'node:fs';

export function readFixture(relativePath: string): string {
  return readFileSync(new URL(`../fixtures/${relativePath}`, import.meta.url), 'utf8');
}
