// An HTTP server that records every notification Alertmanager's webhook integration posts to it
// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), for end-to-end tests.
import { createServer } from 'node:http';

/** One webhook POST: the payload Alertmanager sends (version 4), and the path it was sent to. */
export interface Notification {
  readonly path: string;
  readonly receivedAt: number;
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Record<string, string>;
  readonly alerts: readonly { readonly status: 'firing' | 'resolved'; readonly labels: Record<string, string> }[];
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`; notifications may go to any path under it. */
  readonly url: string;
  /** Every notification so far, oldest first. */
  readonly notifications: readonly Notification[];
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: Notification[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      try {
        const payload = JSON.parse(body) as Omit<Notification, 'path' | 'receivedAt'>;
        notifications.push({ ...payload, path: request.url ?? '', receivedAt: Date.now() });
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end('not JSON');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    notifications,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
