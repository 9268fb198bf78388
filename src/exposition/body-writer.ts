// Writes exposition text as bytes into fixed-size chunks and hands each full chunk to a sink (a gzip
// stream, or a list for an uncompressed body). Nothing builds one big string: a big body (tens of MB,
// docs/performance.md) as a string existed three times (pieces, the joined string, its encoding) and
// kept the garbage collector busy. Here it exists at most once, outside the JavaScript heap.

import { formatValue } from './text-format.js';

/** Where finished chunks go; a returned promise is awaited (backpressure) before writing on. */
export type ChunkSink = (chunk: Buffer) => void | Promise<void>;

const CHUNK_BYTES = 256 * 1024;
/** Chunks kept for reuse: enough for what gzip holds at once (three segments of four chunks, and the one being filled), 4 MB at most. */
const SPARE_CHUNKS = 16;

/**
 * Chunks the sink is done with, kept for the next ones: a big scrape writes hundreds of chunks, and
 * fresh ones cost page faults and garbage collection. One per exporter (createExporter),
 * so two exporters in a process never hand each other chunks.
 */
export class ChunkPool {
  private readonly spare: ArrayBuffer[] = [];

  /** A chunk to fill: a spare one when there is one. */
  take(): Buffer {
    const spare = this.spare.pop();
    return spare === undefined ? Buffer.allocUnsafeSlow(CHUNK_BYTES) : Buffer.from(spare);
  }

  /**
   * Gives a chunk the sink is done with back for the next one (gzip, once it compressed it). Never
   * call it for a chunk that is still held (an uncompressed body keeps its chunks).
   */
  recycle(chunk: Buffer): void {
    if (chunk.buffer.byteLength === CHUNK_BYTES && chunk.byteOffset === 0 && this.spare.length < SPARE_CHUNKS) {
      this.spare.push(chunk.buffer as ArrayBuffer);
    }
  }

  /** Chunks waiting to be reused. */
  get spareCount(): number {
    return this.spare.length;
  }
}

/** Longest a value can be: a double's shortest round-trip form is at most 24 characters. */
const MAX_VALUE_BYTES = 32;
const NEWLINE = 10;
const DIGIT_ZERO = 48;

export class BodyWriter {
  private chunk: Buffer;
  private used = 0;
  private pending: Promise<void> | undefined;
  /** Chunks handed to the sink so far. */
  chunksWritten = 0;

  /** Without a pool (a one-off body), every chunk is fresh. */
  constructor(
    private readonly sink: ChunkSink,
    private readonly chunks: ChunkPool = new ChunkPool(),
  ) {
    this.chunk = chunks.take();
  }

  /** Resolves once the sink has taken what it was given (await it now and then, e.g. between namespaces). */
  drained(): Promise<void> | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  private room(bytes: number): void {
    if (this.used + bytes <= CHUNK_BYTES) return;
    this.flush();
    if (bytes > CHUNK_BYTES) this.chunk = Buffer.allocUnsafe(bytes);
  }

  private flush(): void {
    if (this.used === 0) return;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = this.chunks.take();
    this.used = 0;
    this.chunksWritten++;
    const taken = this.sink(full);
    if (taken !== undefined) this.pending = this.pending ? this.pending.then(() => taken) : taken;
  }

  /**
   * One line per value: `name`, block i of `blocks` (ending at ends[i]), the value and a newline.
   * The loop of a whole scrape (250,000 lines at 1,000 routers) in one small function V8 keeps
   * optimized: per line two copies (through a short-lived Uint8Array view; Buffer#subarray would
   * construct a Buffer, slower) and a few digit stores, and no string.
   */
  lines(name: Uint8Array, blocks: Uint8Array, ends: readonly number[], values: ArrayLike<number>): void {
    const buffer = blocks.buffer;
    const base = blocks.byteOffset;
    let start = 0;
    for (let i = 0; i < values.length; i++) {
      const end = ends[i] as number;
      this.room(name.length + (end - start) + MAX_VALUE_BYTES + 1);
      const chunk = this.chunk;
      chunk.set(name, this.used);
      this.used += name.length;
      chunk.set(new Uint8Array(buffer, base + start, end - start), this.used);
      this.used += end - start;
      this.valueLine(values[i] as number);
      start = end;
    }
  }

  /** One line: `name`, the first `end` bytes of `blocks` (one label block), the value and a newline. */
  line(name: Uint8Array, blocks: Uint8Array, end: number, value: number): void {
    this.room(name.length + end + MAX_VALUE_BYTES + 1);
    const chunk = this.chunk;
    chunk.set(name, this.used);
    this.used += name.length;
    chunk.set(new Uint8Array(blocks.buffer, blocks.byteOffset, end), this.used);
    this.used += end;
    this.valueLine(value);
  }

  /** Bytes as they are (lines rendered earlier). */
  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.chunk.set(value, this.used);
    this.used += value.length;
  }

  /** Text as UTF-8. */
  text(value: string): void {
    // a UTF-16 code unit becomes at most 3 bytes
    this.room(value.length * 3);
    this.used += this.chunk.write(value, this.used, 'utf8');
  }

  /** A sample value and the line's end: integers written digit by digit, anything else as the format spells it. */
  private valueLine(value: number): void {
    this.room(MAX_VALUE_BYTES + 1);
    const chunk = this.chunk;
    if (Number.isSafeInteger(value) && value >= 0) {
      let digits = 1;
      for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      let at = this.used + digits;
      this.used = at;
      do {
        const next = Math.floor(value / 10);
        chunk[--at] = DIGIT_ZERO + (value - next * 10);
        value = next;
      } while (value > 0);
    } else {
      this.used += chunk.write(formatValue(value), this.used, 'latin1');
    }
    chunk[this.used++] = NEWLINE;
  }

  /** Hands the last, partly filled chunk to the sink and waits until the sink took everything. */
  async end(): Promise<void> {
    this.flush();
    await this.drained();
  }
}
