// What the performance tests share: a fleet of Neutron-like routers (bench/router-fixture.ts) with a
// native-backend exporter over it, set up before the calling describe block's tests and removed after
// them (also when they fail), and a plain HTTP GET on a given keep-alive agent.
import { Agent, request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { createRouterFleet, type RouterFleet } from '../../bench/router-fixture.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';

export interface FleetExporter {
  /** Throw when set-up did not finish (its own error is reported by beforeAll). */
  readonly fleet: () => RouterFleet;
  readonly exporter: () => ExporterProcess;
}

/** Call inside a describe block: `routers` routers and an exporter including only them. */
export function useFleetExporter(routers: number, setUpTimeoutMs: number): FleetExporter {
  let fleet: RouterFleet | undefined;
  let exporter: ExporterProcess | undefined;
  beforeAll(async () => {
    fleet = await createRouterFleet();
    await fleet.grow(routers);
    exporter = await startExporter(['--collector.backend=native', `--netns.include=${fleet.includeRegex}`]);
  }, setUpTimeoutMs);
  afterAll(async () => {
    await exporter?.stop();
    fleet?.destroy();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('set-up failed');
    return value;
  };
  return { fleet: () => ready(fleet), exporter: () => ready(exporter) };
}

/** One GET on `agent` (keep-alive, one socket: requests queue behind each other); a gzip body comes back decompressed. */
export function get(
  port: number,
  path: string,
  agent: Agent,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
