// The JSON that iproute2's `ip -j` prints, made parseable: shared by `ip -j link` and `ip -j neigh`.

import { parsed, parseFailure, type ParseResult } from './parse-result.js';

// iproute2's JSON writer escapes '"' and '\' in names but prints other control bytes raw, and the
// kernel accepts any byte but '/', ':' and whitespace in a name: `ip link add name $'a\x01b'` yields
// "ifname":"a<U+0001>b", which JSON.parse rejects. Outside strings JSON allows no control characters
// except tab, newline and carriage return, so escaping all others changes nothing but those names.
const RAW_CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** The top-level array of an `ip -j` document; `command` and `elements` only go into error details. */
export function parseIproute2JsonArray(text: string, command: string, elements: string): ParseResult<unknown[]> {
  const escaped = text.replace(RAW_CONTROL_CHARACTER, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  let document: unknown;
  try {
    document = JSON.parse(escaped);
  } catch (error) {
    return parseFailure(`${command}: line ${lineAtJsonError(escaped, error)}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(document)) return parseFailure(`${command}: line 1: expected a JSON array of ${elements}`);
  return parsed(document);
}

// V8 reports "... at position N" (sometimes with line and column); turn the position into a line number.
function lineAtJsonError(text: string, error: unknown): number {
  const position = /position (\d+)/.exec(String((error as Error).message));
  if (position === null) return 1;
  const offset = Math.min(Number(position[1]), text.length);
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
