// Kept /proc texts that are byte for byte the same in many namespaces, kept once. Idle routers of
// one host print the same /proc/net/snmp6 and sockstat files (the same services, no traffic): at
// 1,000 bench routers every snmp6 and sockstat file, and three in four snmp files, were the same
// text. A text is shared when it is kept anew (parsed) and stays shared, never written, while it
// does not change; a namespace whose text changes gets bytes of its own (text-shape.ts). Only the
// texts some namespace still keeps survive a scrape: each scrape's namespaces hand theirs on.

import { copyOwnBytes } from './reading-shape.js';

/** Bytes kept for a text, shared with every namespace whose text was the same. */
export interface SharedText {
  readonly bytes: Buffer;
  /** The bytes' hash, under which they are found (and handed on to the next scrape). */
  readonly hash: number;
}

export class SharedTexts {
  private last = new Map<number, Buffer[]>();
  private next = new Map<number, Buffer[]>();

  /** Bytes equal to `data`: ones a namespace keeps already, or a copy of `data` from now on shared. */
  share(data: Buffer): SharedText {
    const hash = hashOf(data);
    const found = equalIn(this.next, hash, data) ?? equalIn(this.last, hash, data);
    const bytes = found ?? copyOwnBytes(data);
    this.handOn({ bytes, hash });
    return { bytes, hash };
  }

  /** `text` is still kept: it survives the end of this scrape. */
  handOn(text: SharedText): void {
    const list = this.next.get(text.hash);
    if (list === undefined) this.next.set(text.hash, [text.bytes]);
    else if (!list.includes(text.bytes)) list.push(text.bytes);
  }

  /** Ends a scrape: what was not handed on this scrape is no namespace's any more. */
  rotate(): void {
    this.last = this.next;
    this.next = new Map();
  }
}

function equalIn(table: ReadonlyMap<number, readonly Buffer[]>, hash: number, data: Buffer): Buffer | undefined {
  return table.get(hash)?.find((bytes) => bytes.equals(data));
}

/** FNV-1a over the bytes (32 bits): cheap, and a collision only costs a Buffer comparison. */
function hashOf(data: Buffer): number {
  let hash = 0x811c9dc5;
  for (const byte of data) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}
