// A /proc/sys file holding one non-negative integer and a newline,
// such as /proc/sys/net/netfilter/nf_conntrack_count and nf_conntrack_max.

import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const ONE_INTEGER = /^(\d+)\n?$/;

export function parseProcInteger(text: string): ParseResult<number> {
  const match = ONE_INTEGER.exec(text);
  if (match === null) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    return parseFailure(`line 1: expected one non-negative integer and a newline, got ${JSON.stringify(shown)}`);
  }
  const value = Number(match[1]);
  // These files hold kernel ints (at most 2^32); anything past 2^53 is not what we think it is.
  if (!Number.isSafeInteger(value)) return parseFailure(`line 1: ${match[1]} is too large to be a counter of entries`);
  return parsed(value);
}
