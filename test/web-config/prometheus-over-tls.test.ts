// End to end: the real exporter binary with --web.config.file (TLS 1.3 only, client certificates
// from our CA with an allowed SAN, basic auth, security headers), scraped by a real Prometheus that
// presents the client certificate and the password. A second Prometheus with a wrong password gets
// nothing. Then every other way in is tried against the same process and must be refused, and
// broken config files must stop the binary with one line and exit status 2 before it listens.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtMain } from '../support/built.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { createTestPki, type TestPki } from './test-certificates.js';
import { httpsGet, plainHttpExchange } from './tls-client.js';

const PASSWORD = 'correct horse battery staple';

let pki: TestPki;
let dir: string;
let exporter: ExporterProcess | undefined;
const prometheuses: PrometheusServer[] = [];

// No namespaces are needed to prove access control: an empty --netns.dir and no process scan keep
// the scrape small and independent of what else runs on the machine (netns_namespaces is still there).
const quietExporterArgs = (): string[] => [`--netns.dir=${dir}/no-namespaces`, '--no-netns.scan-processes', '--collector.backend=exec'];

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(join(tmpdir(), 'netns-e2e-web-config-'));
  const webConfig = join(dir, 'web.yml');
  await writeFile(
    webConfig,
    [
      'tls_server_config:',
      `  cert_file: ${pki.server.cert}`,
      `  key_file: ${pki.server.key}`,
      `  client_ca_file: ${pki.ca.cert}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      '  client_allowed_sans: [prometheus.example]',
      '  min_version: TLS13',
      'http_server_config:',
      '  headers:',
      '    Strict-Transport-Security: max-age=31536000',
      '    X-Content-Type-Options: nosniff',
      '    X-Frame-Options: deny',
      '    Content-Security-Policy: "default-src \'none\'"',
      'basic_auth_users:',
      `  prometheus: '${await bcrypt.hash(PASSWORD, 10)}'`,
      '',
    ].join('\n'),
  );
  // The exporter may run as an unprivileged user in production; the config need not be world-readable.
  await chmod(webConfig, 0o600);
  exporter = await startExporter([`--web.config.file=${webConfig}`, ...quietExporterArgs()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(prometheuses.map((prometheus) => prometheus.stop()));
  await exporter?.stop();
  await pki?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const scrapeJob = (password: string): string =>
  [
    '    scheme: https',
    '    tls_config:',
    `      ca_file: ${pki.ca.cert}`,
    `      cert_file: ${pki.client.cert}`,
    `      key_file: ${pki.client.key}`,
    '    basic_auth:',
    '      username: prometheus',
    `      password: ${JSON.stringify(password)}`,
  ].join('\n');

describe('a real Prometheus over TLS with a client certificate and basic auth', () => {
  test('the right password gets data; a wrong one gets up == 0 and no series', async () => {
    if (!exporter) throw new Error('exporter did not start');
    expect(exporter.logs()).toMatch(/"tls":true,"basicAuth":true/);
    const [good, bad] = await Promise.all([
      startPrometheus({ job: 'netns-tls', targets: [exporter.address], jobExtra: scrapeJob(PASSWORD) }),
      startPrometheus({ job: 'netns-tls-wrong', targets: [exporter.address], jobExtra: scrapeJob('guessed') }),
    ]);
    prometheuses.push(good, bad);

    await good.waitFor('up{job="netns-tls"} == 1', 30_000);
    await good.waitFor('netns_namespaces{job="netns-tls",kind="qrouter"}', 30_000);
    const series = await good.query('count({job="netns-tls",__name__=~"netns_.+"})');
    expect(Number(series[0]?.value[1])).toBeGreaterThan(3);

    await bad.waitFor('up{job="netns-tls-wrong"} == 0', 30_000);
    expect(await bad.query('{job="netns-tls-wrong",__name__=~"netns_.+"}')).toEqual([]);
  }, 90_000);
});

describe('every other way in is refused by the running binary', () => {
  const port = (): number => {
    if (!exporter) throw new Error('exporter did not start');
    return exporter.port;
  };
  const trusted = { ca: '', clientCertificate: undefined as undefined | TestPki['client'] };
  beforeAll(() => {
    trusted.ca = pki.ca.cert;
    trusted.clientCertificate = pki.client;
  });

  test('right certificate and password: 200, metrics and the security headers', async () => {
    const result = await httpsGet(port(), { ...trusted, user: 'prometheus', password: PASSWORD });
    expect(result.kind === 'response' && result.status).toBe(200);
    if (result.kind !== 'response') return;
    expect(result.body).toContain('netns_namespaces{kind="qrouter"}');
    expect(result.protocol).toBe('TLSv1.3');
    expect(result.headers).toMatchObject({
      'strict-transport-security': 'max-age=31536000',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'deny',
      'content-security-policy': "default-src 'none'",
    });
  });

  test('no password and a wrong password: 401 with a Basic challenge, no metrics', async () => {
    for (const credentials of [{}, { user: 'prometheus', password: 'wrong' }, { user: 'root', password: PASSWORD }]) {
      const result = await httpsGet(port(), { ...trusted, ...credentials });
      expect(result.kind === 'response' && result.status).toBe(401);
      if (result.kind !== 'response') continue;
      expect(result.headers['www-authenticate']).toMatch(/^Basic /);
      expect(result.headers['x-frame-options']).toBe('deny');
      expect(result.body).not.toContain('netns_');
    }
  });

  test('a certificate from an untrusted CA, or none, fails the TLS handshake', async () => {
    const untrusted = await httpsGet(port(), {
      ca: pki.ca.cert,
      clientCertificate: pki.untrustedClient,
      user: 'prometheus',
      password: PASSWORD,
    });
    expect(untrusted.kind).toBe('refused');
    const none = await httpsGet(port(), { ca: pki.ca.cert, user: 'prometheus', password: PASSWORD });
    expect(none.kind).toBe('refused');
  });

  test('a trusted certificate without an allowed SAN is dropped, password or not', async () => {
    const result = await httpsGet(port(), { ca: pki.ca.cert, clientCertificate: pki.otherClient, user: 'prometheus', password: PASSWORD });
    expect(result.kind).toBe('refused');
  });

  test('TLS 1.2 is refused under min_version TLS13', async () => {
    const result = await httpsGet(port(), { ...trusted, user: 'prometheus', password: PASSWORD, maxVersion: 'TLSv1.2' });
    expect(result.kind).toBe('refused');
  });

  test('plain HTTP to the TLS port: no HTTP answer, no metrics', async () => {
    const reply = await plainHttpExchange(port());
    expect(reply.toString('latin1')).not.toMatch(/^HTTP\//);
    expect(reply.toString('latin1')).not.toContain('netns_');
    await expect(fetch(`http://127.0.0.1:${port()}/metrics`)).rejects.toThrow();
  });

  test('/healthz answers with the client certificate and no password (documented in docs/security.md)', async () => {
    const result = await httpsGet(port(), { ...trusted, path: '/healthz' });
    expect(result.kind === 'response' && [result.status, result.body]).toEqual([200, 'OK\n']);
  });
});

describe('shutdown', () => {
  test('SIGTERM stops the HTTPS server and exits 0', async () => {
    const running = exporter;
    exporter = undefined;
    expect(await running?.stop()).toBe(0);
  });
});

describe('a broken web config stops the binary at start: one line, exit status 2', () => {
  const cases: { name: string; text: () => string; error: RegExp }[] = [
    { name: 'unknown key', text: () => 'basic_auth:\n  alice: x\n', error: /unknown key "basic_auth"/ },
    {
      name: 'missing certificate file',
      text: () => `tls_server_config:\n  cert_file: ${dir}/missing.crt\n  key_file: ${pki.server.key}\n`,
      error: /cannot read tls_server_config\.cert_file .*missing\.crt/,
    },
    {
      name: 'key that does not match',
      text: () => `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.client.key}\n`,
      error: /key values mismatch/,
    },
    {
      name: 'missing client CA',
      text: () =>
        `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${dir}/missing-ca.crt\n`,
      error: /cannot read tls_server_config\.client_ca_file/,
    },
    { name: 'password instead of a bcrypt hash', text: () => 'basic_auth_users:\n  prometheus: hunter2\n', error: /not a bcrypt hash/ },
    {
      name: 'bad TLS version',
      text: () => `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n  min_version: TLS1.3\n`,
      error: /min_version must be TLS12 or TLS13/,
    },
  ];
  let counter = 0;
  for (const c of cases) {
    test(c.name, async () => {
      const path = join(dir, `broken-${++counter}.yml`);
      await writeFile(path, c.text());
      const result = await execa(
        'node',
        [builtMain, '--web.listen-address=127.0.0.1:0', `--web.config.file=${path}`, ...quietExporterArgs()],
        {
          reject: false,
          timeout: 30_000,
        },
      );
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      const lines = String(result.stderr)
        .split('\n')
        .filter((line) => line !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^netns-exporter: --web\\.config\\.file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(lines[0]).toMatch(c.error);
      expect(String(result.stderr)).not.toContain('listening');
    });
  }
});
