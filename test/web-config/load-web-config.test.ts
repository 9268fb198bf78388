// loadWebConfig on real files: certificates made by openssl at test time, bcrypt hashes made by
// bcryptjs. Each broken file must fail with one line naming the key; valid ones must map to the
// Node TLS options exporter-toolkit's fields stand for.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadWebConfig, OPEN_WEB_CONFIG, WebConfigError } from '../../src/server/web-config.js';
import { createTestPki, type TestPki } from './test-certificates.js';

let pki: TestPki;
let dir: string;
let hash: string;
let counter = 0;

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(join(tmpdir(), 'netns-web-config-'));
  hash = await bcrypt.hash('s3cret', 4);
});
afterAll(async () => {
  await pki?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function configFile(text: string): Promise<string> {
  const path = join(dir, `web-${++counter}.yml`);
  await writeFile(path, text);
  return path;
}

const tlsBlock = (extra = ''): string => `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n${extra}`;

describe('valid files', () => {
  test('no file and an empty file both mean plain HTTP, no auth, no headers', async () => {
    expect(await loadWebConfig(undefined)).toBe(OPEN_WEB_CONFIG);
    expect(await loadWebConfig(await configFile(''))).toEqual(OPEN_WEB_CONFIG);
    expect(await loadWebConfig(await configFile('# only a comment\n'))).toEqual(OPEN_WEB_CONFIG);
  });

  test('a full exporter-toolkit file maps onto Node TLS options', async () => {
    const config = await loadWebConfig(
      await configFile(
        tlsBlock(
          [
            `  client_ca_file: ${pki.ca.cert}`,
            '  client_auth_type: RequireAndVerifyClientCert',
            '  client_allowed_sans: [prometheus.example]',
            '  min_version: TLS13',
            '  max_version: TLS13',
            '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]',
            '  curve_preferences: [X25519, CurveP256]',
            '  prefer_server_cipher_suites: false',
            'http_server_config:',
            '  http2: false',
            '  headers:',
            '    Strict-Transport-Security: max-age=31536000; includeSubDomains',
            '    X-Content-Type-Options: nosniff',
            '    X-Frame-Options: deny',
            '    Content-Security-Policy: "default-src \'self\'"',
            '    X-XSS-Protection: ""',
            'basic_auth_users:',
            `  alice: '${hash}'`,
            `  "bob smith": '${hash.replace(/^\$2[ab]\$/, '$2y$')}'`,
            'rate_limit:',
            '  interval: 100ms',
            '  burst: 5',
            '',
          ].join('\n'),
        ),
      ),
    );
    expect(config.tls?.clientAuth).toBe('RequireAndVerifyClientCert');
    expect(config.tls?.clientAllowedSans).toEqual(['prometheus.example']);
    expect(config.tls?.files).toEqual({ cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert });
    const context = config.tls?.context;
    expect(context).toMatchObject({
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      // TLS 1.3 names are accepted and left alone, as Go does; only the TLS 1.2 list is set
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      ecdhCurve: 'X25519:P-256',
      honorCipherOrder: false,
    });
    expect(Buffer.isBuffer(context?.cert) && context.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.isBuffer(context?.ca) && context.ca.toString()).toContain('BEGIN CERTIFICATE');
    expect(config.headers).toEqual({
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'deny',
      'Content-Security-Policy': "default-src 'self'",
    });
    expect([...config.basicAuthUsers.keys()]).toEqual(['alice', 'bob smith']);
    expect(config.rateLimit).toEqual({ intervalMs: 100, burst: 5 });
  });

  test('defaults: TLS 1.2 to 1.3, no client certificate, server cipher order', async () => {
    const config = await loadWebConfig(await configFile(tlsBlock()));
    expect(config.tls?.clientAuth).toBe('NoClientCert');
    expect(config.tls?.context).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', honorCipherOrder: true });
    expect(config.tls?.context.ciphers).toBeUndefined();
    expect(config.basicAuthUsers.size).toBe(0);
  });

  test('relative paths are relative to the config file, not the working directory', async () => {
    const nested = join(dir, 'nested');
    await mkdir(nested, { recursive: true });
    const path = join(nested, 'web.yml');
    await writeFile(
      path,
      `tls_server_config:\n  cert_file: ${relative(nested, pki.server.cert)}\n  key_file: ${relative(nested, pki.server.key)}\n`,
    );
    const config = await loadWebConfig(path);
    expect(config.tls?.files.cert).toBe(pki.server.cert);
  });

  test('inline PEM (cert, key, client_ca) works like the files', async () => {
    const { readFile } = await import('node:fs/promises');
    const indent = (pem: string): string =>
      pem
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
    const text = [
      'tls_server_config:',
      `  cert: |\n${indent(await readFile(pki.server.cert, 'utf8'))}`,
      `  key: |\n${indent(await readFile(pki.server.key, 'utf8'))}`,
      `  client_ca: |\n${indent(await readFile(pki.ca.cert, 'utf8'))}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      '',
    ].join('\n');
    const config = await loadWebConfig(await configFile(text));
    expect(config.tls?.files).toEqual({ cert: undefined, key: undefined, clientCa: undefined });
    expect(String(config.tls?.context.cert)).toContain('BEGIN CERTIFICATE');
  });
});

describe('invalid files: one line that names the file and the problem', () => {
  const cases: { name: string; text: () => string; error: RegExp }[] = [
    { name: 'unknown top-level key', text: () => 'tls_config:\n  cert_file: x\n', error: /unknown key "tls_config" in the top level/ },
    {
      name: 'unknown TLS key (a typo)',
      text: () => tlsBlock('  min_verison: TLS13\n'),
      error: /unknown key "min_verison" in tls_server_config/,
    },
    { name: 'unknown rate_limit key', text: () => 'rate_limit:\n  every: 1s\n', error: /unknown key "every" in rate_limit/ },
    {
      name: 'missing cert file',
      text: () => `tls_server_config:\n  cert_file: ${dir}/nope.crt\n  key_file: ${pki.server.key}\n`,
      error: /cannot read tls_server_config\.cert_file .*nope\.crt: ENOENT/,
    },
    {
      name: 'key path is a directory',
      text: () => `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${dir}\n`,
      error: /cannot read tls_server_config\.key_file .*EISDIR/,
    },
    {
      name: 'missing client CA file',
      text: () => tlsBlock(`  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${dir}/ca-missing.crt\n`),
      error: /cannot read tls_server_config\.client_ca_file/,
    },
    {
      name: 'key of another certificate',
      text: () => `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.client.key}\n`,
      error: /not usable: .*key values mismatch/,
    },
    {
      name: 'a key where the certificate belongs',
      text: () => `tls_server_config:\n  cert_file: ${pki.server.key}\n  key_file: ${pki.server.key}\n`,
      error: /cert_file .*: no PEM certificate in it/,
    },
    {
      name: 'client CA file holds no certificate',
      text: () => tlsBlock(`  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${pki.ca.key}\n`),
      error: /client_ca_file .*: no PEM certificate/,
    },
    { name: 'no cert at all', text: () => `tls_server_config:\n  key_file: ${pki.server.key}\n`, error: /needs cert_file/ },
    { name: 'only a version: no silent plain HTTP', text: () => 'tls_server_config:\n  min_version: TLS13\n', error: /needs cert_file/ },
    {
      name: 'file and inline both',
      text: () => tlsBlock('  cert: "x"\n'),
      error: /set tls_server_config\.cert_file or tls_server_config\.cert, not both/,
    },
    { name: 'bad TLS version', text: () => tlsBlock('  min_version: TLS14\n'), error: /min_version must be TLS12 or TLS13, got "TLS14"/ },
    { name: 'TLS 1.1 refused', text: () => tlsBlock('  min_version: TLS11\n'), error: /not supported/ },
    { name: 'min above max', text: () => tlsBlock('  min_version: TLS13\n  max_version: TLS12\n'), error: /min_version is above/ },
    {
      name: 'unknown client_auth_type',
      text: () => tlsBlock('  client_auth_type: VerifyEverything\n'),
      error: /client_auth_type must be one of NoClientCert, .*RequireAndVerifyClientCert, got "VerifyEverything"/,
    },
    {
      name: 'verifying without a CA',
      text: () => tlsBlock('  client_auth_type: RequireAndVerifyClientCert\n'),
      error: /needs client_ca_file/,
    },
    {
      name: 'CA without a client auth policy',
      text: () => tlsBlock(`  client_ca_file: ${pki.ca.cert}\n`),
      error: /client_auth_type is NoClientCert/,
    },
    {
      name: 'allowed SANs that cannot be enforced',
      text: () => tlsBlock(`  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ${pki.ca.cert}\n  client_allowed_sans: [a]\n`),
      error: /client_allowed_sans needs client_auth_type RequireAndVerifyClientCert/,
    },
    {
      name: 'unknown cipher suite',
      text: () => tlsBlock('  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n'),
      error: /unknown or unsupported cipher suite "TLS_RSA_WITH_RC4_128_SHA"/,
    },
    { name: 'unknown curve', text: () => tlsBlock('  curve_preferences: [CurveP224]\n'), error: /unknown curve "CurveP224"/ },
    {
      name: 'header not in the allowed list',
      text: () => 'http_server_config:\n  headers:\n    Server: nginx\n',
      error: /"Server" cannot be set/,
    },
    {
      name: 'bad X-Frame-Options value',
      text: () => 'http_server_config:\n  headers:\n    X-Frame-Options: allow-from x\n',
      error: /X-Frame-Options must be one of deny, sameorigin/,
    },
    {
      name: 'header value with a newline',
      text: () => 'http_server_config:\n  headers:\n    Content-Security-Policy: "a\\r\\nSet-Cookie: x"\n',
      error: /control character/,
    },
    {
      name: 'plain-text password instead of a hash',
      text: () => 'basic_auth_users:\n  alice: hunter2\n',
      error: /basic_auth_users\["alice"\]: not a bcrypt hash/,
    },
    { name: 'MD5 htpasswd hash', text: () => 'basic_auth_users:\n  alice: $apr1$abc$0123456789012345678901\n', error: /not a bcrypt hash/ },
    {
      name: 'bcrypt cost out of range',
      text: () => `basic_auth_users:\n  alice: '${hash.replace(/\$\d\d\$/, '$32$')}'\n`,
      error: /not a bcrypt hash/,
    },
    { name: 'user name with a colon', text: () => `basic_auth_users:\n  "a:b": '${hash}'\n`, error: /contain no ':'/ },
    {
      name: 'duplicate key',
      text: () => `basic_auth_users:\n  alice: '${hash}'\n  alice: '${hash}'\n`,
      error: /not valid YAML: .*unique/i,
    },
    { name: 'not YAML', text: () => 'tls_server_config: [unclosed\n', error: /not valid YAML/ },
    { name: 'a list at the top', text: () => '- a\n- b\n', error: /the top level must be a mapping/ },
    { name: 'rate limit without burst', text: () => 'rate_limit:\n  interval: 1s\n', error: /rate_limit\.burst must be a whole number/ },
    {
      name: 'rate limit with a bad interval',
      text: () => 'rate_limit:\n  interval: soon\n  burst: 1\n',
      error: /rate_limit\.interval must be a duration/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const path = await configFile(c.text());
      const error = await loadWebConfig(path).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WebConfigError);
      const message = (error as Error).message;
      expect(message.startsWith(`--web.config.file ${path}: `)).toBe(true);
      expect(message).toMatch(c.error);
      expect(message).not.toContain('\n');
    });
  }

  test('the hash of a rejected user never appears in the message', async () => {
    const secretLooking = '$2y$10$' + 'x'.repeat(40); // right prefix, wrong length
    const error = await loadWebConfig(await configFile(`basic_auth_users:\n  alice: '${secretLooking}'\n`)).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).not.toContain(secretLooking);
  });

  test('a missing config file', async () => {
    await expect(loadWebConfig(join(dir, 'absent.yml'))).rejects.toThrow(/--web\.config\.file .*absent\.yml: cannot read it: ENOENT/);
  });
});
