// Test clients for the exporter's HTTPS port: one request with chosen TLS options and credentials,
// answering either the response or why there was none (handshake refused, connection dropped).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { SecureVersion } from 'node:tls';
import type { KeyPair } from './test-certificates.js';

export interface ClientOptions {
  readonly path?: string;
  readonly method?: string;
  /** CA file that signed the server certificate. */
  readonly ca: string;
  readonly clientCertificate?: KeyPair;
  readonly user?: string;
  readonly password?: string;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  /** OpenSSL cipher list offered for TLS 1.2. */
  readonly ciphers?: string;
}

export type ClientResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Record<string, string | string[] | undefined>;
      readonly body: string;
      readonly protocol: string | null;
      readonly cipher: string;
      readonly peerFingerprint: string;
    }
  | { readonly kind: 'refused'; readonly error: string };

export function httpsGet(port: number, options: ClientOptions): Promise<ClientResult> {
  return new Promise((resolve) => {
    const auth = options.user !== undefined ? `${options.user}:${options.password ?? ''}` : undefined;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/metrics',
        method: options.method ?? 'GET',
        agent: false, // a fresh connection (and handshake) for every request
        ca: readFileSync(options.ca),
        ...(options.clientCertificate
          ? { cert: readFileSync(options.clientCertificate.cert), key: readFileSync(options.clientCertificate.key) }
          : {}),
        ...(auth !== undefined ? { headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } } : {}),
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.ciphers ? { ciphers: options.ciphers } : {}),
        timeout: 10_000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- an https response's socket is the TLSSocket that carried it
          const socket = response.socket as import('node:tls').TLSSocket;
          resolve({
            kind: 'response',
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            protocol: socket.getProtocol?.() ?? null,
            cipher: socket.getCipher?.()?.name ?? '',
            peerFingerprint: socket.getPeerCertificate?.()?.fingerprint256 ?? '',
          });
        });
        response.on('error', (error) => resolve({ kind: 'refused', error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'refused', error: `${error.code ?? ''} ${error.message}` }));
    req.end();
  });
}

/** Sends a plain-HTTP request to the port and returns every byte that came back before the close. */
export function plainHttpExchange(port: number, path = '/metrics'): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}
