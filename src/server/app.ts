// The HTTP face of the exporter (express): /metrics, a landing page and /healthz. Only GET and HEAD;
// other methods get 405 and unknown paths 404, and no error body carries a stack trace or a path.

import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { MetricsBody } from '../exposition/metrics-body.js';
import { CONTENT_TYPE } from '../exposition/text-format.js';

export interface AppOptions {
  readonly telemetryPath: string;
  /** Most /metrics requests in flight at once; 0 for no limit. Further ones get 503 at once. */
  readonly maxRequests: number;
  readonly scrape: (options: { timeoutSeconds?: number }) => Promise<MetricsBody>;
  readonly logger: Logger;
  readonly version: string;
}

function landingPage(telemetryPath: string, version: string): string {
  const href = telemetryPath.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>netns-exporter</title></head>
<body>
<h1>netns-exporter</h1>
<p>Prometheus exporter for the interfaces, iptables and conntrack of every network namespace on this host (version ${version.replace(/</g, '&lt;')}).</p>
<ul>
<li><a href="${href}">Metrics</a></li>
<li><a href="/healthz">Health</a></li>
</ul>
</body>
</html>
`;
}

function acceptsGzip(request: Request): boolean {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Prometheus sends its scrape timeout with every scrape; the collection is cut to fit inside it. */
function scrapeTimeoutSeconds(request: Request): number | undefined {
  const header = request.headers['x-prometheus-scrape-timeout-seconds'];
  const seconds = typeof header === 'string' ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let inFlight = 0;

  const only =
    (handler: (request: Request, response: Response) => void | Promise<void>) =>
    async (request: Request, response: Response, next: NextFunction): Promise<void> => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.set('Allow', 'GET, HEAD').status(405).type('text/plain').send('Method Not Allowed\n');
        return;
      }
      try {
        await handler(request, response);
      } catch (error) {
        next(error);
      }
    };

  app.all(
    options.telemetryPath,
    only(async (request, response) => {
      if (options.maxRequests > 0 && inFlight >= options.maxRequests) {
        response.status(503).type('text/plain').send('Too many concurrent scrapes\n');
        return;
      }
      inFlight++;
      try {
        const body = await options.scrape({ timeoutSeconds: scrapeTimeoutSeconds(request) });
        const gzip = acceptsGzip(request);
        const chunks = await body.encoded(gzip ? 'gzip' : 'identity');
        response.set('Content-Type', CONTENT_TYPE);
        response.set('Vary', 'Accept-Encoding');
        if (gzip) response.set('Content-Encoding', 'gzip');
        response.set('Content-Length', String(chunks.reduce((total, chunk) => total + chunk.length, 0)));
        if (request.method === 'HEAD') {
          response.end();
          return;
        }
        // chunk by chunk: one Buffer.concat of a 36 MB plain body would be a copy and a long step
        for (const chunk of chunks) response.write(chunk);
        response.end();
      } finally {
        inFlight--;
      }
    }),
  );
  app.all(
    '/',
    only((_request, response) => {
      response.type('text/html; charset=utf-8').send(landingPage(options.telemetryPath, options.version));
    }),
  );
  app.all(
    '/healthz',
    only((_request, response) => {
      response.type('text/plain').send('OK\n');
    }),
  );
  app.use((_request: Request, response: Response) => {
    response.status(404).type('text/plain').send('Not Found\n');
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    options.logger.error({ err: error }, 'request failed');
    if (!response.headersSent) response.status(500).type('text/plain').send('Internal Server Error\n');
  });
  return app;
}
