// A real Prometheus server for end-to-end tests: on loopback, on a free port, with its own data
// directory, scraping the given targets every second. Stopped and removed by stop().
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface PrometheusServer {
  readonly url: string;
  /** Instant query; resolves with the result vector, rejects with Prometheus's error for invalid PromQL. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Waits until `expr` returns at least one series (or the deadline passes, then rejects). */
  waitFor(expr: string, timeoutMs: number): Promise<void>;
  alerts(): Promise<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }[]>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PrometheusOptions {
  readonly job: string;
  readonly targets: readonly string[];
  readonly ruleFiles?: readonly string[];
  readonly scrapeIntervalSeconds?: number;
  readonly scrapeTimeoutSeconds?: number;
  /** Extra YAML lines under the scrape job (e.g. scheme, tls_config, basic_auth), indented 4 spaces. */
  readonly jobExtra?: string;
  /** Further scrape jobs (e.g. a static target serving another exporter's series), plain HTTP. */
  readonly extraJobs?: readonly { readonly job: string; readonly targets: readonly string[] }[];
  /** Alertmanagers (`host:port`) that Prometheus sends its alerts to. */
  readonly alertmanagers?: readonly string[];
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'netns-e2e-prometheus-'));
  const port = await freePort();
  const interval = options.scrapeIntervalSeconds ?? 1;
  const config = [
    'global:',
    `  scrape_interval: ${interval}s`,
    `  evaluation_interval: ${interval}s`,
    `  scrape_timeout: ${options.scrapeTimeoutSeconds ?? interval}s`,
    options.alertmanagers?.length
      ? `alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [${options.alertmanagers.map((t) => JSON.stringify(t)).join(', ')}]`
      : '',
    options.ruleFiles?.length ? `rule_files:\n${options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`).join('\n')}` : '',
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.job)}`,
    options.jobExtra ?? '',
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ...(options.extraJobs ?? []).flatMap((extra) => [
      `  - job_name: ${JSON.stringify(extra.job)}`,
      '    static_configs:',
      `      - targets: [${extra.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ]),
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const url = `http://127.0.0.1:${port}`;
  const child: ResultPromise = execa(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { reject: false, all: true },
  );
  let output = '';
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await child;
    await rm(dir, { recursive: true, force: true });
  };

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const server: PrometheusServer = {
    url,
    query: async (expr) =>
      (
        await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    async waitFor(expr, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if ((await server.query(expr)).length > 0) return;
        if (Date.now() > until) throw new Error(`timed out waiting for ${expr}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    alerts: async () =>
      (await api<{ alerts: { labels: Record<string, string>; state: string; annotations: Record<string, string> }[] }>('/api/v1/alerts'))
        .alerts,
    stop,
  };
  return server;
}
