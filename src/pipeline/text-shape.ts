// "Same text, new numbers": whether a text reading (/proc/net/snmp, sockstat) is the kept one with
// only its numbers changed, and those numbers. A text's numbers change length as they grow, so the
// byte ranges of binary readings (reading-shape.ts) do not serve: here the shape is the sequence of
// whitespace-separated words, each numeric word (-?[0-9]+) standing for "a number", every other word
// compared byte for byte. A later reading with the same words around its numbers has the same
// records; its numbers are read in one pass, without splitting lines or making a record.
// Whitespace is a separator whatever its length; a line break is a word of its own.

import { copyOwnBytes } from './reading-shape.js';
import type { SharedText } from './shared-texts.js';

/**
 * A text reading kept to compare later ones with: the last one read that had this shape (copied: a
 * reader may hand out views into a larger buffer), and the scrape that read it. Byte for byte the
 * same next scrape (an idle router's snmp6, most sockstat files) means the same numbers, found with
 * one memcmp; otherwise the words around the numbers are compared with these bytes' words, and a
 * matching text is copied over them (in place while the length stays: no allocation a scrape for a
 * busy router's snmp).
 */
export interface KeptTextShape {
  bytes: Buffer;
  /**
   * The scrape (NamespaceCache.scrape) whose reading `bytes` are. Equal bytes vouch for the last
   * scrape's series only when they are that scrape's: a scrape that ended without rotating the
   * cache (a bug, never expected) may have written its bytes here without its series being kept.
   */
  readIn: number;
  /** Set while `bytes` are shared with other namespaces' kept texts (shared-texts.ts): never written then. */
  shared: SharedText | undefined;
  /** How many numeric words the text has. */
  readonly numbers: number;
}

/** Keeps `data` as the text last read (same shape), in the bytes already kept when it has their length. */
export function keepReadText(kept: KeptTextShape, data: Buffer, scrape: number): void {
  if (kept.shared === undefined && kept.bytes.length === data.length) data.copy(kept.bytes);
  else kept.bytes = copyOwnBytes(data);
  kept.shared = undefined;
  kept.readIn = scrape;
}

/** A text kept anew, and where its numbers are (only the parse that kept it needs them: see numberIndex). */
export interface NewTextShape {
  readonly kept: KeptTextShape;
  /** Byte offset of each numeric word, ascending (a Map of them took 25 KB a namespace). */
  readonly positions: Int32Array;
}

/** Index among the numbers of the numeric word at byte offset `at` of a text kept anew; -1 when none starts there. */
export function numberIndex(positions: Int32Array, at: number): number {
  let low = 0;
  let high = positions.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const position = positions[middle] as number;
    if (position === at) return middle;
    if (position < at) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

const isBlank = (byte: number): boolean => byte === SPACE || byte === TAB || byte === NEWLINE;

/** End of the numeric word starting at `start`, or -1 when the word there is not numeric. */
function numericWordEnd(data: Buffer, start: number): number {
  let at = start;
  if (data[at] === MINUS) at++;
  const digits = at;
  while (at < data.length && (data[at] as number) >= ZERO && (data[at] as number) <= NINE) at++;
  if (at === digits || (at < data.length && !isBlank(data[at] as number))) return -1;
  return at;
}

/** The number a numeric word spells, as Number() would read it (exact below 2^53, rounded once above). */
function numberOf(data: Buffer, start: number, end: number): number {
  if (end - start > 15) return Number(data.toString('latin1', start, end));
  let value = 0;
  let at = start;
  const negative = data[at] === MINUS;
  if (negative) at++;
  for (; at < end; at++) value = value * 10 + ((data[at] as number) - ZERO);
  return negative ? -value : value;
}

/**
 * Keeps a text anew (a parse read it): its bytes from `share` when given (bytes equal to it that
 * other namespaces keep), else a copy of its own; and where its numbers are.
 */
export function keepTextShape(data: Buffer, scrape: number, share?: (data: Buffer) => SharedText): NewTextShape {
  const positions: number[] = [];
  let wordStart = true;
  for (let at = 0; at < data.length;) {
    const byte = data[at] as number;
    if (wordStart && !isBlank(byte)) {
      const end = numericWordEnd(data, at);
      if (end !== -1) {
        positions.push(at);
        at = end;
        wordStart = false;
        continue;
      }
    }
    wordStart = isBlank(byte);
    at++;
  }
  const shared = share?.(data);
  const bytes = shared?.bytes ?? copyOwnBytes(data);
  return { kept: { bytes, readIn: scrape, shared, numbers: positions.length }, positions: Int32Array.from(positions) };
}

/**
 * Reads the numbers of `data` into `into` (at least kept.numbers long), in order, when it has the kept
 * shape; false otherwise. Between two numbers the bytes must be the kept ones exactly, blanks
 * included: the kernel pads its columns the same way every time, and a difference there means
 * another layout, to be parsed again. A numeric word is one that starts after a blank (or at the
 * start) and ends at a blank (or at the end), in the kept text and so in a matching one.
 */
export function readTextNumbers(kept: KeptTextShape, data: Buffer, into: Float64Array): boolean {
  const { bytes } = kept;
  const length = data.length;
  let count = 0;
  let at = 0;
  let wordStart = true;
  for (let k = 0; k < bytes.length;) {
    const expected = bytes[k] as number;
    if (wordStart && !isBlank(expected)) {
      const keptEnd = numericWordEnd(bytes, k);
      if (keptEnd !== -1) {
        const end = numericWordEnd(data, at);
        if (end === -1) return false;
        into[count++] = numberOf(data, at, end);
        at = end;
        k = keptEnd;
        wordStart = false;
        continue;
      }
    }
    if (at >= length || data[at] !== expected) return false;
    wordStart = isBlank(expected);
    at++;
    k++;
  }
  return at === length && count === kept.numbers;
}
