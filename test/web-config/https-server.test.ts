// createWebServer in this process, serving the real express app over real TLS on loopback, with
// certificates made by openssl: every client_auth_type, client_allowed_sans, TLS versions, cipher
// suites, headers on every response, the /healthz exemption, the rate limit and certificate reload.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { metricsBody } from '../../src/exposition/metrics-body.js';
import { createApp } from '../../src/server/app.js';
import { createWebServer, type WebServer } from '../../src/server/listen.js';
import { loadWebConfig } from '../../src/server/web-config.js';
import { createTestPki, type TestPki } from './test-certificates.js';
import { httpsGet, plainHttpExchange, type ClientResult } from './tls-client.js';

const logger = pino({ level: 'silent' });
const METRICS = '# HELP netns_up test\n# TYPE netns_up gauge\nnetns_up 1\n';

let pki: TestPki;
let dir: string;
let hash: string;
const running: Server[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(join(tmpdir(), 'netns-https-server-'));
  hash = await bcrypt.hash('s3cret', 4);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(async () => {
  await pki?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let fileCounter = 0;
async function serve(configText: string): Promise<{ port: number; web: WebServer }> {
  const path = join(dir, `web-${++fileCounter}.yml`);
  await writeFile(path, configText);
  const config = await loadWebConfig(path);
  const app = createApp({
    telemetryPath: '/metrics',
    maxRequests: 0,
    scrape: async () => metricsBody(async (sink) => sink(Buffer.from(METRICS))),
    logger,
    version: 'test',
  });
  const web = createWebServer(app, config, logger);
  running.push(web.server);
  await new Promise<void>((resolve) => web.server.listen(0, '127.0.0.1', resolve));
  return { port: (web.server.address() as { port: number }).port, web };
}

const tls = (extra = '', cert = pki.server): string => `tls_server_config:\n  cert_file: ${cert.cert}\n  key_file: ${cert.key}\n${extra}`;
const clientAuth = (type: string, extra = ''): string => tls(`  client_auth_type: ${type}\n  client_ca_file: ${pki.ca.cert}\n${extra}`);

function expectServed(result: ClientResult): void {
  expect(result.kind === 'response' ? result.status : result.error).toBe(200);
  if (result.kind === 'response') expect(result.body).toBe(METRICS);
}
function expectRefused(result: ClientResult): void {
  expect(result.kind, result.kind === 'response' ? `got HTTP ${result.status}` : '').toBe('refused');
}

describe('client_auth_type', () => {
  test('NoClientCert: anyone with the server CA gets in', async () => {
    const { port } = await serve(tls());
    expectServed(await httpsGet(port, { ca: pki.ca.cert }));
  });

  test('RequireAndVerifyClientCert: only certificates from client_ca_file; none or untrusted fails the handshake', async () => {
    const { port } = await serve(clientAuth('RequireAndVerifyClientCert'));
    expectServed(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.client }));
    expectRefused(await httpsGet(port, { ca: pki.ca.cert }));
    expectRefused(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.untrustedClient }));
    // A TLS 1.2 client is refused the same way (there the certificate is checked inside the handshake proper).
    expectRefused(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.untrustedClient, maxVersion: 'TLSv1.2' }));
  });

  test('VerifyClientCertIfGiven: no certificate is fine, an untrusted one is not', async () => {
    const { port } = await serve(clientAuth('VerifyClientCertIfGiven'));
    expectServed(await httpsGet(port, { ca: pki.ca.cert }));
    expectServed(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.client }));
    expectRefused(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.untrustedClient }));
  });

  test('RequireAnyClientCert: some certificate is required, any will do (as in Go)', async () => {
    const { port } = await serve(clientAuth('RequireAnyClientCert'));
    expectServed(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.untrustedClient }));
    expectRefused(await httpsGet(port, { ca: pki.ca.cert }));
  });

  test('RequestClientCert: asked for, never required or checked', async () => {
    const { port } = await serve(clientAuth('RequestClientCert'));
    expectServed(await httpsGet(port, { ca: pki.ca.cert }));
    expectServed(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.untrustedClient }));
  });

  for (const san of ['prometheus.example', 'spiffe://netns-test/prometheus', '10.0.0.7', 'prom@example.org']) {
    test(`client_allowed_sans [${san}]: a trusted certificate without that SAN is dropped`, async () => {
      const { port } = await serve(clientAuth('RequireAndVerifyClientCert', `  client_allowed_sans: ["${san}", "unrelated.example"]\n`));
      expectServed(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.client }));
      expectRefused(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.otherClient }));
    });
  }
  test('client_allowed_sans matches exactly: no suffix, prefix or wildcard matches', async () => {
    const { port } = await serve(
      clientAuth('RequireAndVerifyClientCert', '  client_allowed_sans: [example, "*.example", spiffe://netns-test, 10.0.0.70]\n'),
    );
    expectRefused(await httpsGet(port, { ca: pki.ca.cert, clientCertificate: pki.client }));
  });
});

describe('TLS versions and cipher suites', () => {
  test('min_version TLS13 refuses a TLS 1.2 client and serves a TLS 1.3 one', async () => {
    const { port } = await serve(tls('  min_version: TLS13\n'));
    expectRefused(await httpsGet(port, { ca: pki.ca.cert, maxVersion: 'TLSv1.2' }));
    const modern = await httpsGet(port, { ca: pki.ca.cert });
    expectServed(modern);
    expect(modern.kind === 'response' && modern.protocol).toBe('TLSv1.3');
  });

  test('max_version TLS12 caps the protocol', async () => {
    const { port } = await serve(tls('  max_version: TLS12\n'));
    const result = await httpsGet(port, { ca: pki.ca.cert });
    expect(result.kind === 'response' && result.protocol).toBe('TLSv1.2');
  });

  test('cipher_suites limits TLS 1.2 to the listed suites', async () => {
    const { port } = await serve(tls('  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n'));
    expectRefused(await httpsGet(port, { ca: pki.ca.cert, ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }));
    const allowed = await httpsGet(port, { ca: pki.ca.cert, ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(allowed.kind === 'response' && allowed.cipher).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  test('plain HTTP to the TLS port gets no HTTP response and no metrics', async () => {
    const { port } = await serve(tls());
    const reply = await plainHttpExchange(port);
    expect(reply.toString('latin1')).not.toMatch(/^HTTP\//);
    expect(reply.toString('latin1')).not.toContain('netns_');
  });
});

describe('basic auth, headers, /healthz and rate limit', () => {
  const headersBlock = [
    'http_server_config:',
    '  headers:',
    '    Strict-Transport-Security: max-age=63072000',
    '    X-Content-Type-Options: nosniff',
    '    X-Frame-Options: sameorigin',
    '    Content-Security-Policy: "default-src \'none\'"',
    '',
  ].join('\n');
  const wantHeaders = {
    'strict-transport-security': 'max-age=63072000',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'sameorigin',
    'content-security-policy': "default-src 'none'",
  };

  test('every response carries the configured headers: 200, 401, 404, 405', async () => {
    const { port } = await serve(`${tls()}${headersBlock}basic_auth_users:\n  alice: '${hash}'\n`);
    const results = [
      await httpsGet(port, { ca: pki.ca.cert, user: 'alice', password: 's3cret' }),
      await httpsGet(port, { ca: pki.ca.cert }),
      await httpsGet(port, { ca: pki.ca.cert, user: 'alice', password: 's3cret', path: '/nothing-here' }),
      await httpsGet(port, { ca: pki.ca.cert, user: 'alice', password: 's3cret', method: 'POST' }),
    ];
    expect(results.map((r) => (r.kind === 'response' ? r.status : r.error))).toEqual([200, 401, 404, 405]);
    for (const result of results) if (result.kind === 'response') expect(result.headers).toMatchObject(wantHeaders);
  });

  test('401 with a Basic challenge for no, wrong or unknown credentials', async () => {
    const { port } = await serve(`${tls()}basic_auth_users:\n  alice: '${hash}'\n`);
    for (const credentials of [{}, { user: 'alice', password: 'wrong' }, { user: 'mallory', password: 's3cret' }, { user: 'alice' }]) {
      const result = await httpsGet(port, { ca: pki.ca.cert, ...credentials });
      expect(result.kind === 'response' && result.status).toBe(401);
      if (result.kind === 'response') {
        expect(result.headers['www-authenticate']).toMatch(/^Basic realm="netns-exporter"/);
        expect(result.body).not.toContain('netns_');
      }
    }
    expectServed(await httpsGet(port, { ca: pki.ca.cert, user: 'alice', password: 's3cret' }));
  });

  test('/healthz needs no password; the landing page and look-alike paths do', async () => {
    const { port } = await serve(`${tls()}basic_auth_users:\n  alice: '${hash}'\n`);
    const health = await httpsGet(port, { ca: pki.ca.cert, path: '/healthz' });
    expect(health.kind === 'response' && [health.status, health.body]).toEqual([200, 'OK\n']);
    for (const path of ['/', '/HEALTHZ', '/healthz/', '/%68ealthz', '/healthz/../metrics', '/metrics?x=/healthz']) {
      const result = await httpsGet(port, { ca: pki.ca.cert, path });
      expect(result.kind === 'response' && result.status, path).toBe(401);
    }
  });

  test('rate_limit: beyond the burst, 429 until the bucket refills', async () => {
    const { port } = await serve(`${tls()}rate_limit:\n  interval: 1h\n  burst: 2\n`);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const result = await httpsGet(port, { ca: pki.ca.cert });
      statuses.push(result.kind === 'response' ? result.status : result.error);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  test('plain HTTP with basic auth and headers (no tls_server_config)', async () => {
    const { port, web } = await serve(`${headersBlock}basic_auth_users:\n  alice: '${hash}'\n`);
    expect(web.tls).toBe(false);
    const denied = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-frame-options')).toBe('sameorigin');
    const allowed = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
    });
    expect(allowed.status).toBe(200);
  });
});

describe('certificate reload', () => {
  test('a renewed certificate is served after the files change; a broken pair keeps the old one', async () => {
    const live = await mkdtemp(join(dir, 'live-'));
    const certPath = join(live, 'tls.crt');
    const keyPath = join(live, 'tls.key');
    await copyFile(pki.server.cert, certPath);
    await copyFile(pki.server.key, keyPath);
    const { port, web } = await serve(`tls_server_config:\n  cert_file: ${certPath}\n  key_file: ${keyPath}\n`);
    const fingerprint = async (): Promise<string> => {
      const result = await httpsGet(port, { ca: pki.ca.cert });
      if (result.kind !== 'response') throw new Error(result.error);
      return result.peerFingerprint;
    };
    const original = await fingerprint();
    expect(await web.reloadTlsIfChanged()).toBe(false); // nothing changed yet

    const renewed = await pki.issue('server-renewed', 'serverAuth', 'IP:127.0.0.1');
    await copyFile(renewed.cert, certPath);
    await copyFile(renewed.key, keyPath);
    expect(await web.reloadTlsIfChanged()).toBe(true);
    const after = await fingerprint();
    expect(after).not.toBe(original);

    // Half a rotation: a new certificate with the old key. Refused; the renewed pair stays in use.
    const third = await pki.issue('server-third', 'serverAuth', 'IP:127.0.0.1');
    await copyFile(third.cert, certPath);
    expect(await web.reloadTlsIfChanged()).toBe(false);
    expect(await fingerprint()).toBe(after);
    // The key arrives: now it is used.
    await copyFile(third.key, keyPath);
    expect(await web.reloadTlsIfChanged()).toBe(true);
    expect(await fingerprint()).not.toBe(after);
  });
});
