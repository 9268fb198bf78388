// The exporter's own metrics, kept in a prom-client registry: process and Node.js runtime metrics
// (prom-client's defaults) and build info. Small and long-lived, which is what prom-client is for.

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { BuildInfo } from '../build-info.js';

export interface SelfMetrics {
  readonly registry: Registry;
  render(): Promise<string>;
}

export function createSelfMetrics(build: BuildInfo): SelfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'netns_exporter_build_info',
    help: 'A metric with a constant 1 value labeled by version, revision and nodejs_version from which netns-exporter was built.',
    labelNames: ['version', 'revision', 'nodejs_version'],
    registers: [registry],
  });
  buildInfo.set({ version: build.version, revision: build.revision, nodejs_version: build.nodejsVersion }, 1);
  return { registry, render: () => registry.metrics() };
}
