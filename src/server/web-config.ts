// --web.config.file: TLS, basic auth, security headers and a rate limit, in the file format of
// Prometheus's exporter-toolkit (docs/web-configuration.md there), read and checked once at start.
// Every problem (an unknown key, an unreadable certificate, a key that does not match its
// certificate, a hash that is not bcrypt) is one WebConfigError line, and the exporter exits 2
// before it listens.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseDurationMs } from '../model/durations.js';

/** A problem with the web config file, as one line that names the file and the key. */
export class WebConfigError extends Error {}

/** Go's crypto/tls ClientAuthType names, as exporter-toolkit spells them. */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export interface TlsSettings {
  /** Absolute paths of the files the material came from (re-read when they change); absent when inline. */
  readonly files: { readonly cert?: string; readonly key?: string; readonly clientCa?: string };
  readonly clientAuth: ClientAuthType;
  /** The client certificate must carry one of these SANs (DNS, IP, e-mail or URI); undefined: any. */
  readonly clientAllowedSans: readonly string[] | undefined;
  /** Everything a secure context needs: certificate, key, client CA, versions, ciphers, curves. */
  readonly context: SecureContextOptions;
}

export interface RateLimit {
  readonly intervalMs: number;
  readonly burst: number;
}

export interface WebConfig {
  /** undefined: plain HTTP. */
  readonly tls: TlsSettings | undefined;
  /** Set on every response. */
  readonly headers: Readonly<Record<string, string>>;
  /** user -> bcrypt hash; empty: no basic auth. */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
  readonly rateLimit: RateLimit | undefined;
}

/** No --web.config.file: plain HTTP, no auth, no extra headers. */
export const OPEN_WEB_CONFIG: WebConfig = { tls: undefined, headers: {}, basicAuthUsers: new Map(), rateLimit: undefined };

// The headers exporter-toolkit lets a config set, with the values it accepts where the header is an
// enumeration (undefined: any value). Kept to its list so one file works for every exporter.
const SETTABLE_HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

// Go's names (tls.CipherSuites()) for TLS 1.0-1.2 suites, as OpenSSL calls them.
const TLS12_CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
// Go lists these too but, as there, TLS 1.3 suites are not configurable: accepted and left alone.
const TLS13_CIPHER_SUITES = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);

const CURVES: Readonly<Record<string, string>> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

// $2a$/$2b$/$2y$ (htpasswd writes 2y), a two-digit cost Go's bcrypt accepts (4-31), then 22 salt and 31 hash characters.
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

type Plain = Record<string, unknown>;

/** Reads and checks the file; OPEN_WEB_CONFIG when no file is given. Throws WebConfigError. */
export async function loadWebConfig(path: string | undefined): Promise<WebConfig> {
  if (path === undefined) return OPEN_WEB_CONFIG;
  const fail = (reason: string): never => {
    throw new WebConfigError(`--web.config.file ${path}: ${reason}`);
  };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return fail(`cannot read it: ${errorMessage(error)}`);
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError) return fail(`not valid YAML: ${oneLine(yamlError.message)}`);
  const root = document.toJS({ maxAliasCount: 100 }) as unknown;
  // An empty file is a valid config that changes nothing, as in exporter-toolkit.
  if (root === null || root === undefined) return OPEN_WEB_CONFIG;
  try {
    const top = mapping(root, 'the top level');
    allowKeys(top, 'the top level', ['tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit']);
    const baseDir = dirname(resolve(path));
    const http = optionalMapping(top.http_server_config, 'http_server_config');
    if (http) allowKeys(http, 'http_server_config', ['http2', 'headers']);
    // http2 is accepted so exporter-toolkit files load; this server speaks HTTP/1.1 either way.
    if (http?.http2 !== undefined && typeof http.http2 !== 'boolean')
      throw new KeyProblem('http_server_config.http2 must be true or false');
    return {
      tls: await tlsSettings(top.tls_server_config, baseDir),
      headers: headers(http?.headers),
      basicAuthUsers: basicAuthUsers(top.basic_auth_users),
      rateLimit: rateLimit(top.rate_limit),
    };
  } catch (error) {
    if (error instanceof KeyProblem) return fail(error.message);
    throw error;
  }
}

/** A problem found while walking the parsed file; loadWebConfig adds the file name. */
class KeyProblem extends Error {}

async function tlsSettings(value: unknown, baseDir: string): Promise<TlsSettings | undefined> {
  const tls = optionalMapping(value, 'tls_server_config');
  if (!tls) return undefined;
  const where = (key: string): string => `tls_server_config.${key}`;
  allowKeys(tls, 'tls_server_config', [
    'cert',
    'key',
    'client_ca',
    'cert_file',
    'key_file',
    'client_ca_file',
    'client_auth_type',
    'client_allowed_sans',
    'min_version',
    'max_version',
    'cipher_suites',
    'prefer_server_cipher_suites',
    'curve_preferences',
  ]);
  // Stricter than exporter-toolkit, which serves plain HTTP when only e.g. min_version is set:
  // a tls_server_config section that cannot give TLS is a mistake, not a request for HTTP.
  const files = {
    cert: optionalPath(tls.cert_file, where('cert_file'), baseDir),
    key: optionalPath(tls.key_file, where('key_file'), baseDir),
    clientCa: optionalPath(tls.client_ca_file, where('client_ca_file'), baseDir),
  };
  const inline = {
    cert: optionalString(tls.cert, where('cert')),
    key: optionalString(tls.key, where('key')),
    clientCa: optionalString(tls.client_ca, where('client_ca')),
  };
  for (const [file, text] of [
    ['cert_file', 'cert'],
    ['key_file', 'key'],
    ['client_ca_file', 'client_ca'],
  ] as const) {
    if (tls[file] !== undefined && tls[text] !== undefined) throw new KeyProblem(`set ${where(file)} or ${where(text)}, not both`);
  }
  if (files.cert === undefined && inline.cert === undefined) throw new KeyProblem('tls_server_config needs cert_file (or cert)');
  if (files.key === undefined && inline.key === undefined) throw new KeyProblem('tls_server_config needs key_file (or key)');

  const clientAuthText = optionalString(tls.client_auth_type, where('client_auth_type')) ?? 'NoClientCert';
  // RequireClientCert: exporter-toolkit's old spelling of RequireAnyClientCert, still accepted there.
  const clientAuth = (clientAuthText === 'RequireClientCert' ? 'RequireAnyClientCert' : clientAuthText) as ClientAuthType;
  if (!CLIENT_AUTH_TYPES.includes(clientAuth)) {
    throw new KeyProblem(
      `${where('client_auth_type')} must be one of ${CLIENT_AUTH_TYPES.join(', ')}, got ${JSON.stringify(clientAuthText)}`,
    );
  }
  const hasClientCa = files.clientCa !== undefined || inline.clientCa !== undefined;
  if (hasClientCa && clientAuth === 'NoClientCert') {
    throw new KeyProblem(
      `${where('client_ca_file')} is set but client_auth_type is NoClientCert (set RequireAndVerifyClientCert to check client certificates)`,
    );
  }
  // Without a CA Node would verify clients against its bundled public roots: any certificate a
  // public CA ever issued would be let in. Go uses the system roots there; we refuse instead.
  if (!hasClientCa && (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert')) {
    throw new KeyProblem(`${where('client_auth_type')} ${clientAuth} needs client_ca_file (the CA that signs client certificates)`);
  }
  const clientAllowedSans = optionalStringList(tls.client_allowed_sans, where('client_allowed_sans'));
  if (clientAllowedSans !== undefined && clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') {
    throw new KeyProblem(`${where('client_allowed_sans')} needs client_auth_type RequireAndVerifyClientCert (or RequireAnyClientCert)`);
  }

  const minVersion = tlsVersion(tls.min_version, where('min_version')) ?? 'TLSv1.2';
  const maxVersion = tlsVersion(tls.max_version, where('max_version')) ?? 'TLSv1.3';
  if (minVersion > maxVersion) throw new KeyProblem(`${where('min_version')} is above ${where('max_version')}`);

  const cipherNames = optionalStringList(tls.cipher_suites, where('cipher_suites')) ?? [];
  for (const name of cipherNames) {
    if (TLS12_CIPHER_SUITES[name] === undefined && !TLS13_CIPHER_SUITES.has(name)) {
      throw new KeyProblem(
        `${where('cipher_suites')}: unknown or unsupported cipher suite ${JSON.stringify(name)} (supported: ${[...Object.keys(TLS12_CIPHER_SUITES), ...TLS13_CIPHER_SUITES].join(', ')})`,
      );
    }
  }
  const tls12Ciphers = cipherNames.map((name) => TLS12_CIPHER_SUITES[name]).filter((name): name is string => name !== undefined);
  const curveNames = optionalStringList(tls.curve_preferences, where('curve_preferences')) ?? [];
  for (const name of curveNames) {
    if (CURVES[name] === undefined)
      throw new KeyProblem(
        `${where('curve_preferences')}: unknown curve ${JSON.stringify(name)} (supported: ${Object.keys(CURVES).join(', ')})`,
      );
  }
  const preferServer = tls.prefer_server_cipher_suites ?? true;
  if (typeof preferServer !== 'boolean') throw new KeyProblem(`${where('prefer_server_cipher_suites')} must be true or false`);

  const settings: TlsSettings = {
    files,
    clientAuth,
    clientAllowedSans,
    context: {
      minVersion,
      maxVersion,
      // Only the TLS 1.2 list is replaced; Node keeps its TLS 1.3 suites, as Go does.
      ...(tls12Ciphers.length > 0 ? { ciphers: tls12Ciphers.join(':') } : {}),
      ...(curveNames.length > 0 ? { ecdhCurve: curveNames.map((name) => CURVES[name]).join(':') } : {}),
      honorCipherOrder: preferServer,
      ...(inline.cert !== undefined ? { cert: inline.cert } : {}),
      ...(inline.key !== undefined ? { key: inline.key } : {}),
      ...(inline.clientCa !== undefined ? { ca: inline.clientCa } : {}),
    },
  };
  return { ...settings, context: await readTlsMaterial(settings) };
}

/**
 * The secure context options with the certificate, key and client CA read from their files, checked
 * by building a context (which fails on bad PEM and on a key that does not match its certificate).
 * Used at start and again when the files change. Throws KeyProblem (a WebConfigError from loadWebConfig).
 */
export async function readTlsMaterial(settings: TlsSettings): Promise<SecureContextOptions> {
  const read = async (path: string | undefined, key: string): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      throw new KeyProblem(`cannot read tls_server_config.${key} ${path}: ${errorMessage(error)}`);
    }
  };
  const cert = (await read(settings.files.cert, 'cert_file')) ?? settings.context.cert;
  const key = (await read(settings.files.key, 'key_file')) ?? settings.context.key;
  const ca = (await read(settings.files.clientCa, 'client_ca_file')) ?? settings.context.ca;
  checkCertificates(cert, settings.files.cert ? `cert_file ${settings.files.cert}` : 'cert');
  if (ca !== undefined) checkCertificates(ca, settings.files.clientCa ? `client_ca_file ${settings.files.clientCa}` : 'client_ca');
  const context: SecureContextOptions = { ...settings.context, cert, key, ...(ca !== undefined ? { ca } : {}) };
  try {
    createSecureContext(context);
  } catch (error) {
    throw new KeyProblem(`tls_server_config: the certificate, key or settings are not usable: ${oneLine(errorMessage(error))}`);
  }
  return context;
}

// createSecureContext accepts a CA bundle with no certificate in it; a file of the wrong kind
// should fail here, at start, with the key named, not later as "unknown CA" at every handshake.
function checkCertificates(pem: SecureContextOptions['cert'], what: string): void {
  const text = Buffer.isBuffer(pem) ? pem.toString('utf8') : typeof pem === 'string' ? pem : '';
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new KeyProblem(`tls_server_config.${what}: no PEM certificate in it`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new KeyProblem(`tls_server_config.${what}: not a valid certificate: ${oneLine(errorMessage(error))}`);
    }
  }
}

function headers(value: unknown): Record<string, string> {
  const map = optionalMapping(value, 'http_server_config.headers');
  const result: Record<string, string> = {};
  if (!map) return result;
  for (const [name, raw] of Object.entries(map)) {
    if (!Object.hasOwn(SETTABLE_HEADERS, name)) {
      throw new KeyProblem(
        `http_server_config.headers: ${JSON.stringify(name)} cannot be set (allowed: ${Object.keys(SETTABLE_HEADERS).join(', ')})`,
      );
    }
    const where = `http_server_config.headers.${name}`;
    const text = optionalString(raw, where) ?? '';
    if (text === '') continue; // blank means unset, as in exporter-toolkit
    if (/[\u0000-\u001f\u007f]/.test(text)) throw new KeyProblem(`${where} contains a control character`);
    const allowed = SETTABLE_HEADERS[name];
    if (allowed && !allowed.includes(text))
      throw new KeyProblem(`${where} must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
    result[name] = text;
  }
  return result;
}

function basicAuthUsers(value: unknown): Map<string, string> {
  const map = optionalMapping(value, 'basic_auth_users');
  const users = new Map<string, string>();
  if (!map) return users;
  for (const [user, hash] of Object.entries(map)) {
    const where = `basic_auth_users[${JSON.stringify(user)}]`;
    // Basic credentials are "user:password" split at the first colon: such a user could never log in.
    if (user === '' || user.includes(':')) throw new KeyProblem(`${where}: a user name must be non-empty and contain no ':'`);
    // The hash itself stays out of the message: it is a secret too.
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      throw new KeyProblem(`${where}: not a bcrypt hash (expected $2y$/$2b$/$2a$, cost 04-31, e.g. from \`htpasswd -nBC 10 ""\`)`);
    }
    users.set(user, hash);
  }
  return users;
}

function rateLimit(value: unknown): RateLimit | undefined {
  const map = optionalMapping(value, 'rate_limit');
  if (!map) return undefined;
  allowKeys(map, 'rate_limit', ['interval', 'burst']);
  // A YAML scalar, number or string; anything else stringifies to text parseDurationMs rejects.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const intervalText = map.interval === undefined ? '0s' : String(map.interval);
  const intervalMs = /^0+(ms|s|m|h)?$/.test(intervalText) ? 0 : parseDurationMs(intervalText);
  if (intervalMs === undefined)
    throw new KeyProblem(`rate_limit.interval must be a duration such as 1s or 500ms, got ${JSON.stringify(map.interval)}`);
  if (intervalMs === 0) return undefined; // 0 disables the limiter, as in exporter-toolkit
  const burst = map.burst;
  if (typeof burst !== 'number' || !Number.isSafeInteger(burst) || burst < 1) {
    throw new KeyProblem(`rate_limit.burst must be a whole number of at least 1 when an interval is set, got ${JSON.stringify(burst)}`);
  }
  return { intervalMs, burst };
}

function tlsVersion(value: unknown, where: string): SecureVersion | undefined {
  const text = optionalString(value, where);
  if (text === undefined) return undefined;
  const version = TLS_VERSIONS[text];
  if (version === undefined) {
    throw new KeyProblem(
      `${where} must be TLS12 or TLS13, got ${JSON.stringify(text)}${text === 'TLS10' || text === 'TLS11' ? ' (TLS 1.0 and 1.1 are not supported)' : ''}`,
    );
  }
  return version;
}

function mapping(value: unknown, where: string): Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KeyProblem(`${where} must be a mapping`);
  return value as Plain;
}

function optionalMapping(value: unknown, where: string): Plain | undefined {
  return value === undefined || value === null ? undefined : mapping(value, where);
}

function allowKeys(map: Plain, where: string, allowed: readonly string[]): void {
  const unknown = Object.keys(map).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw new KeyProblem(`unknown key ${JSON.stringify(unknown)} in ${where} (allowed: ${allowed.join(', ')})`);
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KeyProblem(`${where} must be a string`);
  return value;
}

function optionalStringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new KeyProblem(`${where} must be a list of strings`);
  return value;
}

function optionalPath(value: unknown, where: string, baseDir: string): string | undefined {
  const text = optionalString(value, where);
  if (text === undefined || text === '') return undefined;
  // Relative to the config file, as exporter-toolkit does, so a directory of config and certs moves as one.
  return resolve(baseDir, text);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
