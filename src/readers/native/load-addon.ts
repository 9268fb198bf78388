// Finds and loads the compiled native reader (native/build/Release/netns_reader.node). Never throws:
// the caller decides between the native and the exec backend from the reason.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Opaque handle of a thread pool inside the addon. */
export interface PoolHandle {
  readonly __netnsReaderPool: unique symbol;
}

/**
 * What a request asks the addon for (native/src/requests.h, request_kind). The addon exports its own
 * table as `requestKinds`, and an addon whose table differs is not loaded.
 */
export const RequestKind = {
  /** A file under /proc/thread-self/net/. */
  readFile: 1,
  /** Netlink request messages on one socket of a protocol. */
  netlink: 2,
  /** Every legacy x_tables table of one family. */
  xtables: 3,
  /** Netlink messages with a qdisc dump, then the filters of each ingress qdisc's device (native/src/requests.c). */
  tc: 4,
} as const;

/** One request tuple as the addon takes it (see native/src/addon.c). */
export type AddonRequest =
  | readonly [kind: typeof RequestKind.readFile, path: string]
  | readonly [kind: typeof RequestKind.netlink, protocol: number, messages: Buffer]
  | readonly [kind: typeof RequestKind.xtables, family: 4 | 6]
  | readonly [kind: typeof RequestKind.tc, protocol: number, messages: Buffer];

/** Where a job stopped (native/src/pool.h, job_stage); the addon exports its own table as `jobStages`. */
export const JobStage = {
  entered: 0,
  openFailed: 1,
  setnsFailed: 2,
  poolBroken: 3,
  cancelled: 4,
} as const;

/**
 * Every job finished since the last call. `meta` holds per job: jobId, stage, stageErrno, request
 * count, then per request its result's length in `data` or -errno; `data` holds the results' bytes
 * job after job, each starting at a multiple of 8 (see native/src/addon.c).
 */
export type JobsDone = (data: Buffer, meta: Float64Array) => void;

/** One job of a batch, unpacked: results are views into the batch's data, or errno numbers. */
export interface FinishedJob {
  readonly jobId: number;
  readonly stage: number;
  readonly stageErrno: number;
  readonly results: (Buffer | number)[];
}

/** Unpacks a batch; throws on a meta array that does not describe `data` exactly (an addon bug). */
export function unpackJobs(data: Buffer, meta: Float64Array): FinishedJob[] {
  const jobs: FinishedJob[] = [];
  let m = 0;
  let offset = 0;
  while (m < meta.length) {
    const jobId = meta[m] as number;
    const stage = meta[m + 1] as number;
    const stageErrno = meta[m + 2] as number;
    const count = meta[m + 3] as number;
    m += 4;
    const results: (Buffer | number)[] = [];
    for (let i = 0; i < count; i++) {
      const length = meta[m++] as number;
      if (length < 0) {
        results.push(-length);
      } else {
        if (length > 0) offset = (offset + 7) & ~7;
        results.push(data.subarray(offset, offset + length));
        offset += length;
      }
    }
    jobs.push({ jobId, stage, stageErrno, results });
  }
  if (m !== meta.length || offset !== data.length)
    throw new Error(`native reader: batch of ${data.length} bytes does not match its description`);
  return jobs;
}

export interface NetnsReaderAddon {
  createPool(threads: number, recvTimeoutMs: number, onJobsDone: JobsDone): PoolHandle;
  /** `dev`/`ino`: the namespace discovery saw; the opened path is checked against them (0, 0: unchecked). */
  submit(pool: PoolHandle, jobId: number, nsPath: string, requests: readonly AddonRequest[], dev?: number, ino?: number): void;
  destroyPool(pool: PoolHandle): void;
  poolStats(pool: PoolHandle): { threadIds: number[]; broken: boolean; queued: number };
  /** The addon's request_kind values by name (RequestKind must agree). */
  readonly requestKinds: Readonly<Record<string, number>>;
  /** The addon's job_stage values by name (JobStage must agree). */
  readonly jobStages: Readonly<Record<string, number>>;
}

export type AddonLoad =
  { readonly ok: true; readonly addon: NetnsReaderAddon; readonly path: string } | { readonly ok: false; readonly reason: string };

// src/readers/native/ and dist/readers/native/ are both three levels below the package root
export const ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/netns_reader.node', import.meta.url));

const EXPORTS = ['createPool', 'submit', 'destroyPool', 'poolStats'] as const;

/** The names where an addon's table and ours differ (an addon built from other sources). */
export function tableMismatches(ours: Readonly<Record<string, number>>, theirs: unknown): string[] {
  const table = typeof theirs === 'object' && theirs !== null ? (theirs as Record<string, unknown>) : {};
  const names = new Set([...Object.keys(ours), ...Object.keys(table)]);
  return [...names].filter((name) => ours[name] !== table[name]);
}

/**
 * Nothing is cached here: Node keeps a loaded addon in its own module cache (a shared object is
 * opened once a process), and each reader creates its own pool from it.
 */
export function loadNativeAddon(path: string = ADDON_PATH): AddonLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux, not ${process.platform}` };
  if (!existsSync(path)) return { ok: false, reason: `${path} is missing (the addon was not built at install)` };
  try {
    const loaded = createRequire(import.meta.url)(path) as Partial<
      Record<(typeof EXPORTS)[number] | 'requestKinds' | 'jobStages', unknown>
    >;
    const missing = EXPORTS.filter((name) => typeof loaded[name] !== 'function');
    if (missing.length > 0) return { ok: false, reason: `${path} lacks ${missing.join(', ')}` };
    const differ = [
      ...tableMismatches(RequestKind, loaded.requestKinds).map((name) => `request kind ${name}`),
      ...tableMismatches(JobStage, loaded.jobStages).map((name) => `job stage ${name}`),
    ];
    if (differ.length > 0) return { ok: false, reason: `${path} was built from other sources (${differ.join(', ')} differ): rebuild it` };
    return { ok: true, addon: loaded as unknown as NetnsReaderAddon, path };
  } catch (error) {
    return { ok: false, reason: `${path} did not load: ${error instanceof Error ? error.message : String(error)}` };
  }
}
