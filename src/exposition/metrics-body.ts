// One collection's /metrics body in the encodings clients ask for. Each encoding is rendered from
// the snapshot at most once, when first asked for, and then shared by every request that joined the
// same collection; Prometheus always asks for gzip, so the 36 MB plain body of 1,000 routers is
// normally never held at all: it is compressed chunk by chunk as it is written.

import type { ChunkPool, ChunkSink } from './body-writer.js';
import { ParallelGzip } from './parallel-gzip.js';

export type BodyEncoding = 'gzip' | 'identity';

export interface MetricsBody {
  /** The body's bytes in that encoding, as chunks to write in order. */
  encoded(encoding: BodyEncoding): Promise<readonly Buffer[]>;
  /** The body as text (tests, --once). */
  text(): Promise<string>;
}

/**
 * Level 1: at 1,000 routers it compresses 36 MB in about a quarter of the CPU time of zlib's default
 * level 6, for a body about 1.6 times larger (about 1.6 MB); scraped every 15-60 s over a LAN, CPU is
 * the scarcer resource of the two (docs/performance.md).
 */
const GZIP_LEVEL = 1;

/** `chunks`: where gzip gives back the chunks it compressed (the pool the render writes from). */
export function metricsBody(render: (sink: ChunkSink) => Promise<void>, chunks?: ChunkPool): MetricsBody {
  const made = new Map<BodyEncoding, Promise<readonly Buffer[]>>();
  const encoded = (encoding: BodyEncoding): Promise<readonly Buffer[]> => {
    let body = made.get(encoding);
    if (body === undefined) {
      body = encoding === 'gzip' ? gzipped(render, chunks) : plain(render);
      made.set(encoding, body);
    }
    return body;
  };
  return {
    encoded,
    text: async () => Buffer.concat(await encoded('identity')).toString('utf8'),
  };
}

async function plain(render: (sink: ChunkSink) => Promise<void>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await render((chunk) => void chunks.push(chunk));
  return chunks;
}

/**
 * Compressed in 1 MiB segments, up to three at once on libuv's threads, while the next chunks are
 * written (parallel-gzip.ts); writing waits when three are still compressing.
 */
async function gzipped(render: (sink: ChunkSink) => Promise<void>, chunks: ChunkPool | undefined): Promise<Buffer[]> {
  const chunkDone = chunks === undefined ? undefined : (chunk: Buffer) => chunks.recycle(chunk);
  const gzip = new ParallelGzip({ level: GZIP_LEVEL, segmentBytes: 1024 * 1024, inFlight: 3, chunkDone });
  await render((chunk) => gzip.write(chunk));
  return gzip.end();
}
