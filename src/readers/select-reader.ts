// Chooses the namespace reader for --collector.backend. `native` enters namespaces with setns on the
// addon's own threads (about 100 times cheaper per namespace); `exec` spawns one nsenter per
// namespace and needs only the usual tools; `auto` takes native when the addon loads.

import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { Backend } from '../model/config.js';
import { createExecReader } from './exec/exec-reader.js';
import { loadNativeAddon } from './native/load-addon.js';
import { createNativeReader } from './native/native-reader.js';
import type { NamespaceReader } from './reader.js';

export class BackendUnavailableError extends Error {}

export function selectReader(backend: Backend, timeoutMs: number, logger: Logger): NamespaceReader {
  if (backend === 'exec') return createExecReader({ timeoutMs });
  const load = loadNativeAddon();
  if (load.ok) {
    // One thread per core: a thread's work is syscalls, so more threads than cores only queue in the kernel.
    return createNativeReader({ threads: availableParallelism(), timeoutMs, addon: load.addon });
  }
  if (backend === 'native') throw new BackendUnavailableError(`--collector.backend=native: ${load.reason}`);
  logger.warn({ reason: load.reason }, 'native addon not available; using the exec backend (one nsenter process per namespace)');
  return createExecReader({ timeoutMs });
}
