// One HTTP GET against the exporter, timed from the request to the last byte, asking for gzip as
// Prometheus does. The body is decompressed afterwards, outside the timing.

import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

export interface ScrapeResult {
  readonly seconds: number;
  readonly status: number;
  /** Bytes on the wire (gzip-compressed when the exporter compressed). */
  readonly wireBytes: number;
  /** The decompressed exposition text. */
  readonly body: Buffer;
}

export function scrape(port: number, path = '/metrics', gzip = true, timeoutMs = 600_000): Promise<ScrapeResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      { host: '127.0.0.1', port, path, headers: gzip ? { 'Accept-Encoding': 'gzip' } : {}, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const seconds = (performance.now() - started) / 1000;
          const wire = Buffer.concat(chunks);
          const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
          resolve({ seconds, status: res.statusCode ?? 0, wireBytes: wire.length, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Series lines (not comments, not blank) of an exposition body. */
export function countSeries(body: Buffer): number {
  let count = 0;
  let lineStart = 0;
  for (;;) {
    const end = body.indexOf(10, lineStart);
    if (end < 0) break;
    if (end > lineStart && body[lineStart] !== 35 /* # */) count++;
    lineStart = end + 1;
  }
  return count;
}
