// One collection's /metrics body in the encodings clients ask for. Each encoding is rendered from
// the snapshot at most once, when first asked for, and then shared by every request that joined the
// same collection; Prometheus always asks for gzip, so the 36 MB plain body of 1,000 routers is
// normally never held at all: it is compressed chunk by chunk as it is written.

import type { TransformOptions } from 'node:stream';
import { createGzip, type ZlibOptions } from 'node:zlib';
import { recycleChunk, type ChunkSink } from './body-writer.js';

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

export function metricsBody(render: (sink: ChunkSink) => Promise<void>): MetricsBody {
  const made = new Map<BodyEncoding, Promise<readonly Buffer[]>>();
  const encoded = (encoding: BodyEncoding): Promise<readonly Buffer[]> => {
    let body = made.get(encoding);
    if (body === undefined) {
      body = encoding === 'gzip' ? gzipped(render) : plain(render);
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

/** Compresses on libuv's threads while the next chunks are written; waits when zlib falls behind. */
async function gzipped(render: (sink: ChunkSink) => Promise<void>): Promise<Buffer[]> {
  // up to 1 MiB queued: enough for zlib's thread to work while the next chunks are written, little
  // enough that written chunks come back (recycleChunk) before new ones are needed
  // (zlib streams are Transforms and take stream options; @types/node's ZlibOptions does not list them)
  const options: ZlibOptions & TransformOptions = { level: GZIP_LEVEL, chunkSize: 64 * 1024, writableHighWaterMark: 1024 * 1024 };
  const gzip = createGzip(options);
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  // one 'drain' wait shared by every chunk written while zlib is behind
  let behind: Promise<void> | undefined;
  try {
    await render((chunk) => {
      if (gzip.write(chunk, () => recycleChunk(chunk))) return behind;
      behind ??= new Promise<void>((resolve) =>
        gzip.once('drain', () => {
          behind = undefined;
          resolve();
        }),
      );
      return behind;
    });
  } catch (error) {
    gzip.destroy();
    throw error;
  }
  gzip.end();
  await finished;
  return out;
}
