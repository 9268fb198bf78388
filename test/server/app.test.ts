// HTTP behaviour with supertest, on the real exporter over captured fixtures.
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { createExporter } from '../../src/exporter.js';
import { metricsBody, type MetricsBody } from '../../src/exposition/metrics-body.js';
import { createApp } from '../../src/server/app.js';
import { createFixtureReader, fixtureDiscovery } from '../support/fixture-reader.js';

const logger = pino({ level: 'silent' });

async function fixtureApp(overrides: { telemetryPath?: string; maxRequests?: number; scrape?: () => Promise<MetricsBody> } = {}) {
  const exporter = await createExporter({
    config: parseFlags([], '1.2.3'),
    reader: createFixtureReader(),
    discover: fixtureDiscovery(),
    logger,
    build: { version: '1.2.3', revision: 'test', nodejsVersion: process.version },
  });
  return createApp({
    telemetryPath: overrides.telemetryPath ?? '/metrics',
    maxRequests: overrides.maxRequests ?? 40,
    scrape: overrides.scrape ?? (() => exporter.scrape()),
    logger,
    version: '1.2.3',
  });
}

describe('/metrics', () => {
  test('Prometheus text with the right content type', async () => {
    const response = await request(await fixtureApp())
      .get('/metrics')
      .set('Accept-Encoding', 'identity');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.text).toContain('# TYPE netns_info gauge');
    expect(response.text).toContain(
      'netns_exporter_build_info{version="1.2.3",revision="test",nodejs_version="' + process.version + '"} 1',
    );
    expect(response.text).toContain('process_cpu_seconds_total');
  });

  test('gzip when the client asks, same body', async () => {
    // supertest inflates gzip itself; read the raw bytes off a real socket instead.
    const server = (await fixtureApp()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const { headers, raw } = await new Promise<{ headers: IncomingHttpHeaders; raw: Buffer }>((resolve, reject) => {
        httpGet({ host: '127.0.0.1', port, path: '/metrics', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      expect(headers['content-encoding']).toBe('gzip');
      expect(headers.vary).toMatch(/Accept-Encoding/);
      const body = gunzipSync(raw).toString('utf8');
      expect(body).toContain('netns_network_receive_bytes_total{');
      expect(body).toContain('# TYPE netns_info gauge');
    } finally {
      server.close();
    }
  });

  test('gzip;q=0 is a refusal', async () => {
    const response = await request(await fixtureApp())
      .get('/metrics')
      .set('Accept-Encoding', 'gzip;q=0, identity');
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  test('HEAD answers without a body', async () => {
    const response = await request(await fixtureApp()).head('/metrics');
    expect(response.status).toBe(200);
    expect(response.text ?? '').toBe('');
  });

  test('a custom telemetry path moves the endpoint', async () => {
    const app = await fixtureApp({ telemetryPath: '/custom/path' });
    expect((await request(app).get('/custom/path')).status).toBe(200);
    expect((await request(app).get('/metrics')).status).toBe(404);
  });

  test('beyond --web.max-requests a scrape gets 503 at once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = await fixtureApp({
      maxRequests: 1,
      scrape: async () => (await gate, metricsBody(async (sink) => sink(Buffer.from('x 1\n')))),
    });
    const first = request(app)
      .get('/metrics')
      .then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await request(app).get('/metrics');
    expect(second.status).toBe(503);
    release();
    expect((await first).status).toBe(200);
  });

  test('a failing scrape is a 500 without stack or paths', async () => {
    const app = await fixtureApp({ scrape: () => Promise.reject(new Error('secret /etc/path at Object.<anonymous>')) });
    const response = await request(app).get('/metrics');
    expect(response.status).toBe(500);
    expect(response.text).toBe('Internal Server Error\n');
  });

  test('promtool check metrics accepts a real scrape', async () => {
    const response = await request(await fixtureApp()).get('/metrics');
    const result = await execa('promtool', ['check', 'metrics'], { input: response.text, reject: false });
    expect(result.stderr + result.stdout).not.toMatch(/error while linting|text format parsing error/);
  });
});

describe('other paths and methods', () => {
  test('landing page links to the metrics path', async () => {
    const response = await request(await fixtureApp({ telemetryPath: '/m' })).get('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('<a href="/m">');
  });

  test('/healthz', async () => {
    const response = await request(await fixtureApp()).get('/healthz');
    expect(response.status).toBe(200);
    expect(response.text).toBe('OK\n');
  });

  test.each(['post', 'put', 'delete', 'patch'] as const)('%s is 405 with Allow', async (method) => {
    for (const path of ['/metrics', '/', '/healthz']) {
      const response = await request(await fixtureApp())[method](path);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
    }
  });

  test.each(['/nope', '/metrics/extra', '/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd'])('%s is 404', async (path) => {
    const response = await request(await fixtureApp()).get(path);
    expect(response.status).toBe(404);
    expect(response.text).toBe('Not Found\n');
  });
});
