// The HTTP surface of the real binary against requests no scraper sends: other methods, huge URLs
// and headers, headers that never finish, path traversal and malformed requests. Every refusal is
// a plain status with a short body: no stack trace, no file path, no file served.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { httpGet, rawExchange, rawStatus } from './http-get.js';

// What an error body must never contain: a stack frame, a source or install path, an error class.
const LEAKS = /\bat .*:\d+:\d+|node:internal|node_modules|\/work\/|\/dist\/|\/src\/|\.[jt]s\b|Error:/;

/** The body of a raw HTTP/1.1 response (after the blank line). */
const rawBody = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);

describe('HTTP limits of the exporter', () => {
  let dir: string;
  let exporter: ExporterProcess | undefined;
  let port: number;

  beforeAll(async () => {
    // No namespaces needed (and no root): a netns directory that does not exist, no process scan.
    dir = await mkdtemp(join(tmpdir(), 'nxt-http-'));
    exporter = await startExporter([`--netns.dir=${join(dir, 'none')}`, '--no-netns.scan-processes']);
    port = exporter.port;
  });
  afterAll(async () => {
    await exporter?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('GET and HEAD are served; every other method is 405 with Allow', async () => {
    for (const path of ['/metrics', '/', '/healthz']) {
      expect((await httpGet(port, path)).status, `GET ${path}`).toBe(200);
      const head = await httpGet(port, path, { method: 'HEAD' });
      expect([head.status, head.body], `HEAD ${path}`).toEqual([200, '']);
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
        const answer = await httpGet(port, path, { method });
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers.allow).toBe('GET, HEAD');
        expect(answer.body).not.toMatch(LEAKS);
      }
    }
    expect((await httpGet(port, '/nowhere', { method: 'POST' })).status).toBe(404);
  });

  test('CONNECT and unknown methods are refused without a tunnel', async () => {
    // Node's server drops a CONNECT nobody handles; either way no tunnel and no 2xx.
    const connectAnswer = await rawExchange(port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
    expect(connectAnswer.closedByServer).toBe(true);
    expect([0, 400, 405]).toContain(rawStatus(connectAnswer.text));
    const unknown = await rawExchange(port, 'BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(rawStatus(unknown.text)).toBe(400);
    expect(rawBody(unknown.text)).not.toMatch(LEAKS);
  });

  test('a 100 KB URL and oversized headers are refused (431) and the connection closed', async () => {
    const cases = {
      'URL of 100 KB': `GET /metrics?${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'path of 100 KB': `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'one header of 20 KB': `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      '1,000 small headers': `GET /metrics HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${'c'.repeat(20)}\r\n`).join('')}\r\n`,
    };
    for (const [name, raw] of Object.entries(cases)) {
      const answer = await rawExchange(port, raw);
      expect([414, 431], name).toContain(rawStatus(answer.text));
      expect(answer.closedByServer, name).toBe(true);
      expect(rawBody(answer.text), name).not.toMatch(LEAKS);
    }
    // Ordinary large headers (a long basic-auth or cookie line) are still fine.
    expect((await httpGet(port, '/metrics', { headers: { 'X-Ordinary': 'd'.repeat(4000) } })).status).toBe(200);
  });

  test('headers that never finish, or never start, do not hold a connection for long', { timeout: 40_000 }, async () => {
    const started = performance.now();
    const [slow, silent] = await Promise.all([
      // Half a request, then silence: a slowloris client.
      rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', 30_000),
      // A connection that never says anything.
      rawExchange(port, '', 30_000),
    ]);
    const seconds = (performance.now() - started) / 1000;
    for (const answer of [slow, silent]) {
      expect(answer.closedByServer).toBe(true);
      expect([0, 408]).toContain(rawStatus(answer.text));
    }
    expect(seconds).toBeLessThan(15);
    console.log(`slow headers: both connections closed within ${seconds.toFixed(1)} s (status ${rawStatus(slow.text) || 'none'})`);
  });

  test('path traversal and odd paths are 404, and nothing is served from disk', async () => {
    const paths = [
      '/../../../../etc/passwd',
      '/metrics/../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%252e%252e/etc/passwd',
      '//etc/passwd',
      '/metrics/..',
      '/metrics%00',
      '/healthz/../metrics',
      '/%E0%A4%A',
      '/dist/cli/main.js',
      '/package.json',
      '/.git/config',
    ];
    for (const path of paths) {
      const answer = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const status = rawStatus(answer.text);
      expect(status, path).toBe(404);
      expect(rawBody(answer.text), path).toBe('Not Found\n');
    }
  });

  test('malformed requests get a bare 400; a bad query string is ignored', async () => {
    for (const raw of [
      'GARBAGE\r\n\r\n',
      'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /metrics HTTP/1.1\r\n\r\n',
      'GET /me trics HTTP/1.1\r\nHost: x\r\n\r\n',
    ]) {
      const answer = await rawExchange(port, raw);
      expect(rawStatus(answer.text), JSON.stringify(raw)).toBe(400);
      expect(rawBody(answer.text)).not.toMatch(LEAKS);
    }
    expect((await httpGet(port, '/metrics?%ZZ=%&a[b]=1')).status).toBe(200);
  });
});
