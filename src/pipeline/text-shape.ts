// "Same text, new numbers": whether a text reading (/proc/net/snmp, sockstat) is the kept one with
// only its numbers changed, and those numbers. A text's numbers change length as they grow, so the
// byte ranges of binary readings (reading-shape.ts) do not serve: here the shape is the sequence of
// whitespace-separated words, each numeric word (-?[0-9]+) standing for "a number", every other word
// compared byte for byte. A later reading with the same words around its numbers has the same
// records; its numbers are read in one pass, without splitting lines or making a record.
// Whitespace is a separator whatever its length; a line break is a word of its own.

/** A text reading kept to compare later ones with. */
export interface KeptTextShape {
  /** The reading with each numeric word replaced by one NUMBER byte (the reading is ASCII). */
  readonly skeleton: Buffer;
  /** Byte offset of each numeric word in the kept reading, ascending (a Map of them took 25 KB a namespace). */
  readonly positions: Int32Array;
  readonly numbers: number;
}

/** Index among the numbers of the numeric word at byte offset `at` of the kept reading; -1 when none starts there. */
export function numberIndex(kept: KeptTextShape, at: number): number {
  const { positions } = kept;
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

const NUMBER = 0;
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

export function keepTextShape(data: Buffer): KeptTextShape {
  const skeleton: number[] = [];
  const positions: number[] = [];
  let wordStart = true;
  for (let at = 0; at < data.length;) {
    const byte = data[at] as number;
    if (wordStart && !isBlank(byte)) {
      const end = numericWordEnd(data, at);
      if (end !== -1) {
        positions.push(at);
        skeleton.push(NUMBER);
        at = end;
        wordStart = false;
        continue;
      }
    }
    skeleton.push(byte);
    wordStart = isBlank(byte);
    at++;
  }
  return { skeleton: Buffer.from(skeleton), positions: Int32Array.from(positions), numbers: positions.length };
}

/**
 * Reads the numbers of `data` into `into` (at least kept.numbers long), in order, when it has the kept
 * shape; false otherwise. Between two numbers the bytes must be the kept ones exactly, blanks
 * included: the kernel pads its columns the same way every time, and a difference there means
 * another layout, to be parsed again. (A number always follows a blank in the kept text, and so in a
 * matching one: each is a whole word.)
 */
export function readTextNumbers(kept: KeptTextShape, data: Buffer, into: Float64Array): boolean {
  const { skeleton } = kept;
  const length = data.length;
  let count = 0;
  let s = 0;
  let at = 0;
  while (s < skeleton.length) {
    const expected = skeleton[s] as number;
    if (expected !== NUMBER) {
      if (at >= length || data[at] !== expected) return false;
      at++;
      s++;
      continue;
    }
    const end = numericWordEnd(data, at);
    if (end === -1) return false;
    into[count++] = numberOf(data, at, end);
    at = end;
    s++;
  }
  return at === length && count === kept.numbers;
}
