// One request through the native addon into a named namespace, as the native reader would send it:
// for fixture captures and kernel tests that need the raw answer bytes (no reader, no collector).

import {
  JobStage,
  loadNativeAddon,
  unpackJobs,
  type AddonRequest,
  type NetnsReaderAddon,
  type PoolHandle,
} from '../../src/readers/native/load-addon.js';

export interface AddonSession {
  /** The answer to `request` inside /run/netns/<ns>, copied out of the batch; rejects on any failure. */
  answer(ns: string, request: AddonRequest): Promise<Buffer>;
  close(): void;
}

/** A one-thread pool of the built addon (native/build); throws with the reason when it is not built. */
export function openAddonSession(): AddonSession {
  const load = loadNativeAddon();
  if (!load.ok) throw new Error(load.reason);
  const addon: NetnsReaderAddon = load.addon;
  const waiting = new Map<number, (result: Buffer | string) => void>();
  const pool: PoolHandle = addon.createPool(1, 5000, (data, meta) => {
    for (const job of unpackJobs(data, meta)) {
      const settle = waiting.get(job.jobId);
      waiting.delete(job.jobId);
      const result = job.results[0];
      if (job.stage !== JobStage.entered) settle?.(`stage ${job.stage}, errno ${job.stageErrno}`);
      else if (typeof result === 'number') settle?.(`errno ${result}`);
      else settle?.(Buffer.from(result ?? Buffer.alloc(0))); // a copy: results are views into the batch
    }
  });
  let nextJobId = 1;
  return {
    async answer(ns, request) {
      const jobId = nextJobId++;
      const result = await new Promise<Buffer | string>((resolve) => {
        waiting.set(jobId, resolve);
        addon.submit(pool, jobId, `/run/netns/${ns}`, [request]);
      });
      if (typeof result === 'string') throw new Error(`${ns}: request kind ${request[0]} failed: ${result}`);
      return result;
    },
    close() {
      addon.destroyPool(pool);
    },
  };
}
