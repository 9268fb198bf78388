// A real Alertmanager (Debian's prometheus-alertmanager) for end-to-end tests: on loopback, on a free
// port, with its own data directory and clustering off (no gossip port shared with anything else on
// the machine). Stopped and removed by stop().
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from './prometheus.js';

/** An alert as Alertmanager's API v2 shows it, with why it is not being sent. */
export interface AlertmanagerAlert {
  readonly fingerprint: string;
  readonly labels: Record<string, string>;
  readonly status: { readonly state: string; readonly inhibitedBy: readonly string[]; readonly silencedBy: readonly string[] };
}

export interface AlertmanagerServer {
  /** `127.0.0.1:<port>`, for Prometheus' `alerting.alertmanagers` targets. */
  readonly address: string;
  alerts(): Promise<AlertmanagerAlert[]>;
  /** Everything it logged so far. */
  logs(): string;
  stop(): Promise<void>;
}

export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

export async function startAlertmanager(configYaml: string): Promise<AlertmanagerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'netns-e2e-alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), configYaml);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const child: ResultPromise = execa(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
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

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://${address}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${ALERTMANAGER_BINARY} did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    address,
    async alerts() {
      const response = await fetch(`http://${address}/api/v2/alerts`);
      if (!response.ok) throw new Error(`alertmanager /api/v2/alerts: ${response.status}`);
      return (await response.json()) as AlertmanagerAlert[];
    },
    logs: () => output,
    stop,
  };
}
