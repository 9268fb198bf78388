// What --web.config.file puts in front of the express app, for every request: the rate limit,
// the security headers and basic auth. Like exporter-toolkit's handler it wraps the whole app,
// so no route can be added later that forgets to check.
//
// One deliberate difference: GET /healthz needs no password (TLS and client certificates still
// apply, they act before any request is read). It answers a fixed "OK" and reveals nothing, and
// it lets Kubernetes probes and load balancers check the process without holding a password.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BasicAuthVerifier, parseBasicAuthorization } from './basic-auth.js';
import type { RateLimit, WebConfig } from './web-config.js';

/** The path that needs no basic auth, compared with the raw request path (no decoding, no case folding). */
export const UNAUTHENTICATED_PATH = '/healthz';

export function withAccessControl(app: RequestListener, config: WebConfig, logger: Logger): RequestListener {
  const verifier = config.basicAuthUsers.size > 0 ? new BasicAuthVerifier(config.basicAuthUsers) : undefined;
  const allowRequest = config.rateLimit ? tokenBucket(config.rateLimit) : () => true;
  const headers = Object.entries(config.headers);

  return (request, response) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    if (!allowRequest()) {
      plainResponse(request, response, 429, 'Too Many Requests');
      return;
    }
    // Exact raw path only: anything express might also route to /healthz (/HEALTHZ, /healthz/,
    // percent-encoded) still needs credentials, so the exemption can only be narrower than the route.
    const path = (request.url ?? '').split('?', 1)[0];
    if (verifier === undefined || path === UNAUTHENTICATED_PATH) {
      app(request, response);
      return;
    }
    const credentials = parseBasicAuthorization(request.headers.authorization);
    if (credentials === undefined) {
      challenge(request, response);
      return;
    }
    verifier.verify(credentials.user, credentials.password).then(
      (verdict) => {
        if (verdict === 'allowed') app(request, response);
        else if (verdict === 'busy') {
          response.setHeader('Retry-After', '1');
          plainResponse(request, response, 503, 'Service Unavailable');
        } else {
          // The user name is what a client sent: a value under a fixed key, never a key.
          logger.debug({ user: credentials.user, remote: request.socket.remoteAddress }, 'basic auth failed');
          challenge(request, response);
        }
      },
      (error: unknown) => {
        logger.error({ err: error }, 'basic auth check failed');
        plainResponse(request, response, 500, 'Internal Server Error');
      },
    );
  };
}

function challenge(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader('WWW-Authenticate', 'Basic realm="netns-exporter", charset="UTF-8"');
  plainResponse(request, response, 401, 'Unauthorized');
}

function plainResponse(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(request.method === 'HEAD' ? undefined : `${text}\n`);
}

/** exporter-toolkit's rate_limit: one request per interval on average, up to `burst` at once. */
function tokenBucket({ intervalMs, burst }: RateLimit): () => boolean {
  let tokens = burst;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + (now - last) / intervalMs);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
