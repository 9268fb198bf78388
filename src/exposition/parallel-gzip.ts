// Gzip of a body written chunk by chunk, compressed in segments on several of libuv's threads at once
// and joined into one ordinary gzip member (the way pigz does it). One zlib stream compresses on one
// thread and takes each next chunk from a callback on the main thread; at 1,000 routers that made
// gzip (about 85 ms of CPU) the longest part of a scrape's tail, on one core while the other idled.
//
// Each segment is a gzip stream of its own, flushed with Z_SYNC_FLUSH before it ends, so its deflate
// data stops at a byte boundary without a final block, and its trailer carries the segment's CRC-32
// and length. The joined body is one gzip header, every segment's deflate data in order, one empty
// final block, and the CRC-32 of the whole (combined from the segments' as zlib's crc32_combine does)
// with the total length. Clients see a single member, exactly as from one stream.

import { constants, createGzip, type ZlibOptions } from 'node:zlib';

export interface ParallelGzipOptions {
  readonly level: number;
  /** Input bytes per segment; segments start when this much is written. */
  readonly segmentBytes: number;
  /** Segments compressing at once; writing waits when this many are still going. */
  readonly inFlight: number;
  /** Called with each written chunk once zlib no longer needs it. */
  readonly chunkDone?: (chunk: Buffer) => void;
}

interface CompressedSegment {
  readonly header: Buffer;
  /** The segment's deflate data: no gzip header or trailer, no final block, ends at a byte boundary. */
  readonly deflate: Buffer;
  readonly crc: number;
  readonly length: number;
}

const GZIP_HEADER_BYTES = 10;
/** What zlib writes after a sync flush when the stream then ends: an empty final block with fixed codes. */
const EMPTY_FINAL_BLOCK = Buffer.from([0x03, 0x00]);
const GZIP_TRAILER_BYTES = 8;

/** Compresses what is written, `inFlight` segments at a time; `end()` gives the gzip body as chunks. */
export class ParallelGzip {
  private readonly segments: Promise<CompressedSegment>[] = [];
  private readonly running = new Set<Promise<CompressedSegment>>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly options: ParallelGzipOptions) {}

  /** Takes a chunk (kept until compressed); resolves when another segment may start, if it had to wait. */
  write(chunk: Buffer): Promise<void> | undefined {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.options.segmentBytes) return undefined;
    this.startSegment();
    if (this.running.size < this.options.inFlight) return undefined;
    return Promise.race(this.running).then(
      () => undefined,
      () => undefined, // the failure surfaces from end()
    );
  }

  async end(): Promise<Buffer[]> {
    if (this.pending.length > 0) this.startSegment();
    const segments = await Promise.all(this.segments);
    return join(segments);
  }

  private startSegment(): void {
    const segment = compressSegment(this.pending, this.pendingBytes, this.options);
    this.pending = [];
    this.pendingBytes = 0;
    this.segments.push(segment);
    this.running.add(segment);
    const done = (): void => void this.running.delete(segment);
    segment.then(done, done);
  }
}

/** `input` is the segment's chunks, `length` their bytes in all. */
function compressSegment(input: readonly Buffer[], length: number, options: ParallelGzipOptions): Promise<CompressedSegment> {
  return new Promise((resolve, reject) => {
    const zlibOptions: ZlibOptions = { level: options.level, chunkSize: 64 * 1024 };
    const gzip = createGzip(zlibOptions);
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.once('error', reject);
    gzip.once('end', () => {
      try {
        resolve(segmentOf(Buffer.concat(out), length));
      } catch (error) {
        reject(error);
      }
    });
    for (const chunk of input) gzip.write(chunk, () => options.chunkDone?.(chunk));
    gzip.flush(constants.Z_SYNC_FLUSH, () => gzip.end());
  });
}

/** Takes a segment's gzip stream apart; throws if zlib framed it otherwise than expected (never seen). */
function segmentOf(member: Buffer, length: number): CompressedSegment {
  const tail = member.length - GZIP_TRAILER_BYTES - EMPTY_FINAL_BLOCK.length;
  const framed =
    tail >= GZIP_HEADER_BYTES &&
    member[0] === 0x1f &&
    member[1] === 0x8b &&
    member[3] === 0 && // no optional header fields: the header is 10 bytes
    member.subarray(tail, tail + EMPTY_FINAL_BLOCK.length).equals(EMPTY_FINAL_BLOCK) &&
    member.readUInt32LE(member.length - 4) === length % 2 ** 32;
  if (!framed) throw new Error('gzip: zlib framed a flushed segment unexpectedly; cannot join segments');
  return {
    header: member.subarray(0, GZIP_HEADER_BYTES),
    deflate: member.subarray(GZIP_HEADER_BYTES, tail),
    crc: member.readUInt32LE(member.length - 8),
    length,
  };
}

/** Written when nothing was: gzip's header with no flags, no time, and Unix as the OS (zlib's choice). */
const EMPTY_BODY_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

function join(segments: readonly CompressedSegment[]): Buffer[] {
  // zlib writes the same header for every stream of one level: the first segment's serves the whole
  const header = segments[0]?.header ?? EMPTY_BODY_HEADER;
  let crc = 0;
  let length = 0;
  for (const segment of segments) {
    crc = crc32Combine(crc, segment.crc, segment.length);
    length += segment.length;
  }
  const trailer = Buffer.alloc(GZIP_TRAILER_BYTES);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return [header, ...segments.map((segment) => segment.deflate), EMPTY_FINAL_BLOCK, trailer];
}

/**
 * The CRC-32 of A followed by B from crc(A), crc(B) and B's length: zlib's crc32_combine (crc32.c of
 * zlib 1.2.12 and later), which Node 20 does not expose. crc(A) is multiplied by x^(8 |B|) modulo the
 * CRC polynomial, found from a table of x^(2^k): a few hundred operations per segment. (zlib's older
 * GF(2) matrix method took 3-9 ms for the 36 segments of a 1,000-router body, in one event-loop turn.)
 */
export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  return (multiplyModP(xToThe8nModP(length2), crc1 >>> 0) ^ crc2) >>> 0;
}

/** The CRC-32 polynomial, reflected: bit 31 is x^0. */
const POLYNOMIAL = 0xedb88320;

/** a * b modulo the polynomial (both reflected). */
function multiplyModP(a: number, b: number): number {
  if (a === 0) return 0;
  let product = 0;
  for (let m = 0x80000000; ; m >>>= 1) {
    if ((a & m) !== 0) {
      product ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ POLYNOMIAL : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X_TO_THE_2K = new Uint32Array(32);
X_TO_THE_2K[0] = 0x40000000; // x^1
for (let k = 1; k < 32; k++) X_TO_THE_2K[k] = multiplyModP(X_TO_THE_2K[k - 1] as number, X_TO_THE_2K[k - 1] as number);

/** x^(8 n) modulo the polynomial: the operator for appending n zero bytes. */
function xToThe8nModP(n: number): number {
  let power = 0x80000000; // x^0
  for (let k = 3; n > 0; k++, n = Math.floor(n / 2)) {
    if (n % 2 === 1) power = multiplyModP(X_TO_THE_2K[k & 31] as number, power);
  }
  return power;
}
