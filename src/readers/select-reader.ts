// Chooses the namespace reader for --collector.backend. `exec` spawns nsenter per namespace;
// `native` (when built) enters namespaces with setns on threads of its own.

import type { Logger } from 'pino';
import type { Backend } from '../cli/config.js';
import { createExecReader } from './exec/exec-reader.js';
import type { NamespaceReader } from './reader.js';

export class BackendUnavailableError extends Error {}

export async function selectReader(backend: Backend, timeoutMs: number, logger: Logger): Promise<NamespaceReader> {
  if (backend === 'native') {
    throw new BackendUnavailableError('--collector.backend=native: the native addon is not part of this build');
  }
  if (backend === 'auto') logger.debug('native addon not available; using the exec backend');
  return createExecReader({ timeoutMs });
}
