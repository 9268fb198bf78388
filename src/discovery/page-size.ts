// The host's memory page size, which sockstat's mem values count in. Node has no getpagesize(); the
// kernel hands every process its page size in the auxiliary vector (AT_PAGESZ), read once at start.

import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

const AT_PAGESZ = 6;
const FALLBACK = 4096;

/** From /proc/self/auxv (pairs of native words, 64-bit here: Node 20 runs on 64-bit Linux only). */
export function hostPageSize(auxvPath = '/proc/self/auxv'): number {
  try {
    const auxv = readFileSync(auxvPath);
    const little = endianness() === 'LE';
    for (let at = 0; at + 16 <= auxv.length; at += 16) {
      const type = little ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at);
      if (type === BigInt(AT_PAGESZ)) return Number(little ? auxv.readBigUInt64LE(at + 8) : auxv.readBigUInt64BE(at + 8));
      if (type === 0n) break; // AT_NULL
    }
  } catch {
    // no /proc: the usual page size
  }
  return FALLBACK;
}
