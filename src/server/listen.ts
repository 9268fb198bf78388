// The server the express app runs in: plain HTTP, or HTTPS when --web.config.file has a
// tls_server_config, with access control (web-config's headers, rate limit, basic auth) in front.
//
// Client certificate policies Node's TLS options cannot say on their own (RequireAnyClientCert,
// VerifyClientCertIfGiven, client_allowed_sans) are checked as soon as the handshake completes,
// before the connection can carry a request. Certificate files are re-read when they change, so
// a renewed certificate (cert-manager, certbot) is served without a restart, as exporter-toolkit does.

import { stat } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { withAccessControl } from './access-control.js';
import { readTlsMaterial, type TlsSettings, type WebConfig } from './web-config.js';

// How often the certificate files are checked for a change (a stat each; read only on change).
const TLS_FILE_CHECK_MS = 30_000;

export interface WebServer {
  readonly server: Server;
  readonly tls: boolean;
  /** Re-reads the TLS files now if they changed; true when new material is in use. Runs on a timer too. */
  reloadTlsIfChanged(): Promise<boolean>;
}

export function createWebServer(app: RequestListener, config: WebConfig, logger: Logger, serverOptions: ServerOptions = {}): WebServer {
  const handler = withAccessControl(app, config, logger);
  const tls = config.tls;
  if (tls === undefined) {
    return { server: createHttpServer(serverOptions, handler), tls: false, reloadTlsIfChanged: async () => false };
  }
  const server = createHttpsServer(
    {
      ...serverOptions,
      ...tls.context,
      // Ask for a certificate in every mode but NoClientCert; only RequireAndVerifyClientCert has
      // OpenSSL refuse the handshake itself, the others are settled in checkClientCertificate.
      requestCert: tls.clientAuth !== 'NoClientCert',
      rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
    },
    handler,
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    const problem = clientCertificateProblem(socket, tls);
    if (problem === undefined) return;
    logger.debug({ remote: socket.remoteAddress, reason: problem }, 'client certificate refused');
    socket.destroy();
  });
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    // Plain HTTP to this port, an untrusted certificate, an old TLS version: the client's problem, not ours.
    logger.debug({ remote: socket.remoteAddress, err: error.message }, 'TLS handshake failed');
  });

  const reloadTlsIfChanged = tlsReloader(server, tls, logger);
  const timer = setInterval(() => void reloadTlsIfChanged(), TLS_FILE_CHECK_MS);
  timer.unref();
  server.on('close', () => clearInterval(timer));
  return { server, tls: true, reloadTlsIfChanged };
}

/** Why this connection's client certificate is not acceptable, or undefined when it is. */
export function clientCertificateProblem(socket: TLSSocket, tls: TlsSettings): string | undefined {
  const certificate = socket.getPeerX509Certificate();
  switch (tls.clientAuth) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return undefined;
    case 'RequireAnyClientCert':
      if (certificate === undefined) return 'no client certificate';
      break;
    case 'VerifyClientCertIfGiven':
      if (certificate !== undefined && !socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
      return undefined;
    case 'RequireAndVerifyClientCert':
      // OpenSSL already refused these; checked again so a change of options cannot open the door silently.
      if (certificate === undefined) return 'no client certificate';
      if (!socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
      break;
  }
  if (tls.clientAllowedSans === undefined || certificate === undefined) return undefined;
  const allowed = tls.clientAllowedSans.some((san) =>
    isIP(san) !== 0
      ? certificate.checkIP(san) !== undefined
      : // subject 'never': only SANs count, as in exporter-toolkit; no wildcards, an exact match.
        certificate.checkHost(san, { subject: 'never', wildcards: false }) !== undefined ||
        certificate.checkEmail(san, { subject: 'never' }) !== undefined ||
        subjectAltNameUris(certificate.subjectAltName).includes(san),
  );
  return allowed ? undefined : 'client certificate has none of client_allowed_sans';
}

// Node's subjectAltName is "DNS:a, URI:b, ..." with a value quoted JSON-style when it contains a
// comma or quote; X509Certificate has no check for URIs, so they are picked out here.
function subjectAltNameUris(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  const uris: string[] = [];
  const entry = /(?:^|, )URI:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const match of subjectAltName.matchAll(entry)) {
    const value = match[1] ?? '';
    try {
      uris.push(value.startsWith('"') ? (JSON.parse(value) as string) : value);
    } catch {
      // an entry we cannot read cannot match
    }
  }
  return uris;
}

function tlsReloader(server: HttpsServer, tls: TlsSettings, logger: Logger): () => Promise<boolean> {
  const paths = [tls.files.cert, tls.files.key, tls.files.clientCa].filter((path): path is string => path !== undefined);
  let seen: string | undefined;
  const fingerprint = async (): Promise<string | undefined> => {
    try {
      const stats = await Promise.all(paths.map((path) => stat(path)));
      return stats.map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`).join('|');
    } catch {
      return undefined; // a file missing mid-rotation: keep serving, look again next time
    }
  };
  const started = fingerprint().then((value) => (seen = value));
  let running: Promise<boolean> | undefined;

  const reload = async (): Promise<boolean> => {
    await started;
    const now = await fingerprint();
    if (now === undefined || now === seen) return false;
    try {
      server.setSecureContext(await readTlsMaterial(tls));
      seen = now;
      logger.info({ files: paths }, 'TLS certificate files changed: new connections use them');
      return true;
    } catch (error) {
      // A half-written pair (new certificate, old key) must not take the server down; the old
      // material stays in use and the next check tries again.
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'TLS certificate files changed but cannot be used; keeping the previous ones',
      );
      return false;
    }
  };
  return () => (running ??= reload().finally(() => (running = undefined)));
}
