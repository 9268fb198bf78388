// NamespaceReader over the native addon: each read() is one job for the addon's own threads, which
// enter the namespace with setns, run the syscalls and return raw bytes. Nothing is parsed here; this
// file only chooses the syscalls per request and turns errnos into ReaderError kinds.

import { constants } from 'node:os';
import { readHostFile } from '../../host/host-file.js';
import type { NetnsRef } from '../../model/netns-ref.js';
import type { ReaderError } from '../../model/reader-error.js';
import type { AnyNamespaceSource, NativeRead } from '../../sources/source.js';
import { everySource, type NamespaceReader, type Reading, type Readings } from '../reader.js';
import {
  JobStage,
  loadNativeAddon,
  RequestKind,
  unpackJobs,
  type AddonRequest,
  type NetnsReaderAddon,
  type PoolHandle,
} from './load-addon.js';

export interface NativeReaderOptions {
  /** Threads that enter namespaces; each holds one namespace at a time. */
  readonly threads: number;
  /** Per read, from submission (queueing included) to the last byte; also bounds each netlink receive. */
  readonly timeoutMs: number;
  /** The loaded addon; loaded from native/build when omitted. */
  readonly addon?: NetnsReaderAddon;
}

/** The addon's request for a read inside the namespace (a home-file read asks for its presence check). */
function addonRequestOf(read: NativeRead): AddonRequest {
  switch (read.kind) {
    case 'file':
      return [RequestKind.readFile, read.path];
    case 'netlink':
      return read.ingressFilters === true
        ? [RequestKind.tc, read.protocol, read.messages]
        : [RequestKind.netlink, read.protocol, read.messages];
    case 'xtables':
      return [RequestKind.xtables, read.family];
    case 'home-file':
      return addonRequestOf(read.presentWith);
  }
}

/** The read made inside the namespace for a source: sources that share one share its slot. */
function namespaceRead(read: NativeRead): NativeRead {
  return read.kind === 'home-file' ? namespaceRead(read.presentWith) : read;
}

/** How long one reading of a home file (a kernel-wide value) is used: a scrape's namespaces share one. */
const HOME_FILE_TTL_MS = 1000;

/**
 * Reads kept submitted at once: the threads read one namespace each, and a deeper queue keeps them
 * busy while the main thread parses, and lets finished reads come back in bigger batches; past a few
 * dozen, more in flight gained nothing (docs/performance.md, "Figures behind the code").
 */
const DEFAULT_PARALLELISM = 64;

/** Jobs settled per turn of the event loop (see `finished` in createNativeReader). */
const SETTLED_PER_TURN = 8;

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

function errnoNumber(name: string): number {
  return Object.hasOwn(constants.errno, name) ? constants.errno[name as keyof typeof constants.errno] : constants.errno.EIO;
}

function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** Why a namespace could not be entered, from where the job stopped. */
function enterError(ns: NetnsRef, stage: number, errno: number): ReaderError {
  const name = errnoName(errno);
  if (stage === JobStage.openFailed) {
    if (name === 'ENOENT' || name === 'ESRCH') return { kind: 'vanished', detail: `open ${ns.path}: ${name}` };
    if (name === 'ESTALE') return { kind: 'vanished', detail: `${ns.path} now holds a different namespace than inode ${ns.inode}` };
    if (name === 'EACCES' || name === 'EPERM') return { kind: 'enter-denied', detail: `open ${ns.path}: ${name}` };
    return { kind: 'tool-failed', detail: `open ${ns.path}: ${name}` };
  }
  if (stage === JobStage.setnsFailed) {
    if (name === 'EPERM') return { kind: 'enter-denied', detail: `setns ${ns.path}: EPERM (needs CAP_SYS_ADMIN)` };
    // EINVAL: the path no longer refers to a network namespace (unmounted /run/netns entry)
    if (name === 'EINVAL') return { kind: 'vanished', detail: `setns ${ns.path}: EINVAL (not a network namespace any more)` };
    return { kind: 'tool-failed', detail: `setns ${ns.path}: ${name}` };
  }
  if (stage === JobStage.poolBroken) {
    return { kind: 'tool-failed', detail: 'native reader is broken: a thread could not return to the exporter namespace' };
  }
  return { kind: 'tool-failed', detail: 'native reader closed before the read ran' };
}

/** `key`: the reading's key (Reading), shared by the sources of one declared read. */
function sourceReading(source: AnyNamespaceSource, result: Buffer | number | undefined, key: number): Reading {
  const { native } = source;
  if (result === undefined) return { ok: false, error: { kind: 'tool-failed', detail: `${source.name}: no result` } };
  if (typeof result === 'number') {
    const name = errnoName(result);
    if (native.absentWhen?.includes(name)) return { ok: false, error: { kind: 'not-present', detail: `${source.name}: ${name}` } };
    if (name === 'ETIMEDOUT') return { ok: false, error: { kind: 'timeout', detail: `${source.name}: netlink answer timed out` } };
    return { ok: false, error: { kind: 'tool-failed', detail: `${source.name}: ${name}` } };
  }
  if (native.emptyWhen?.(result)) return { ok: false, error: { kind: 'not-present', detail: `${source.name}: nothing in use` } };
  return { ok: true, data: result, declaration: native, key };
}

function everyRequest(sources: readonly AnyNamespaceSource[], error: ReaderError): Readings {
  return everySource(sources, { ok: false, error });
}

/** Files of the exporter's own namespace, each read at most once a second. */
function homeFiles(): (path: string) => Promise<Buffer | number> {
  const cached = new Map<string, { readonly at: number; readonly value: Promise<Buffer | number> }>();
  return (path) => {
    const now = performance.now();
    let entry = cached.get(path);
    if (entry === undefined || now - entry.at > HOME_FILE_TTL_MS) {
      entry = {
        at: now,
        value: readHostFile(path).then((read) => (read.ok ? read.data : errnoNumber(read.code))),
      };
      cached.set(path, entry);
    }
    return entry.value;
  };
}

/** A job's addon requests, and for each source its request's slot and its reading key. */
interface JobPlan {
  readonly requests: readonly AddonRequest[];
  readonly slots: readonly number[];
  readonly keys: readonly number[];
}

function planJob(sources: readonly AnyNamespaceSource[], addonRequest: (read: NativeRead) => AddonRequest): JobPlan {
  const requests: AddonRequest[] = [];
  const slotOf = new Map<NativeRead, number>();
  const keyOf = new Map<NativeRead, number>();
  const slots: number[] = [];
  const keys: number[] = [];
  sources.forEach((source, index) => {
    const { read } = source.native;
    const wanted = namespaceRead(read);
    let slot = slotOf.get(wanted);
    if (slot === undefined) {
      slot = requests.push(addonRequest(wanted)) - 1;
      slotOf.set(wanted, slot);
    }
    slots.push(slot);
    // a home file's reading is its own bytes, not those of the read that says it is present
    let key = keyOf.get(read);
    if (key === undefined) {
      key = index;
      keyOf.set(read, key);
    }
    keys.push(key);
  });
  return { requests, slots, keys };
}

function sameSources(a: readonly AnyNamespaceSource[], b: readonly AnyNamespaceSource[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface PendingJob {
  readonly ns: NetnsRef;
  readonly sources: readonly AnyNamespaceSource[];
  /** Index of each source's addon request in the job (sources may share one). */
  readonly slots: readonly number[];
  /** Each source's reading key: the index of the first source with the same declared read. */
  readonly keys: readonly number[];
  readonly settle: (readings: Readings) => void;
}

export interface NativeNamespaceReader extends NamespaceReader {
  /** The pool's thread ids (for /proc/self/task/<tid> checks), whether it is broken, and its queue. */
  stats(): { threadIds: number[]; broken: boolean; queued: number };
}

/** Throws when the addon is not given and cannot be loaded; check loadNativeAddon() first to fall back. */
export function createNativeReader(options: NativeReaderOptions): NativeNamespaceReader {
  let addon = options.addon;
  if (addon === undefined) {
    const load = loadNativeAddon();
    if (!load.ok) throw new Error(`native reader unavailable: ${load.reason}`);
    addon = load.addon;
  }
  const native = addon;
  const pending = new Map<number, PendingJob>();
  const settled = new Set<Promise<Readings>>();
  let nextJobId = 1;
  let closed = false;
  const homeFile = homeFiles();
  // one tuple per declared read, made once: the addon gets the same objects every scrape
  const requestTuples = new WeakMap<NativeRead, AddonRequest>();
  const addonRequest = (read: NativeRead): AddonRequest => {
    let tuple = requestTuples.get(read);
    if (tuple === undefined) {
      tuple = addonRequestOf(read);
      requestTuples.set(read, tuple);
    }
    return tuple;
  };
  // A scrape asks for the same list of sources in every namespace: its requests, slots and keys once.
  let lastPlan: { readonly sources: readonly AnyNamespaceSource[]; readonly plan: JobPlan } | undefined;
  const jobPlan = (sources: readonly AnyNamespaceSource[]): JobPlan => {
    if (lastPlan === undefined || !sameSources(lastPlan.sources, sources)) lastPlan = { sources, plan: planJob(sources, addonRequest) };
    return lastPlan.plan;
  };

  /**
   * Finished jobs wait here and are settled a few per turn of the event loop: a batch can hold
   * dozens of namespaces (64 reads stay queued), and each settle runs that namespace's collectors
   * once this callback returns, so settling a whole batch at once kept /healthz waiting, and one per
   * turn cost the loop's own overhead once per namespace (docs/performance.md, "Figures behind the
   * code").
   */
  const finished: (() => void)[] = [];
  let nextFinished = 0;
  const settleSome = (): void => {
    const end = Math.min(finished.length, nextFinished + SETTLED_PER_TURN);
    const now = finished.slice(nextFinished, end);
    nextFinished = end;
    if (nextFinished < finished.length) {
      setImmediate(settleSome); // queued during this turn's check phase: runs in the next turn
    } else {
      finished.length = 0;
      nextFinished = 0;
    }
    for (const settle of now) settle();
  };

  const settleJob = (job: PendingJob, stage: number, stageErrno: number, results: readonly (Buffer | number)[]): void => {
    if (stage !== JobStage.entered) {
      job.settle(everySource(job.sources, { ok: false, error: enterError(job.ns, stage, stageErrno) }));
      return;
    }
    const readings = new Map<AnyNamespaceSource, Reading>();
    const homeReads: Promise<void>[] = [];
    job.sources.forEach((source, i) => {
      const key = job.keys[i] ?? i;
      const reading = sourceReading(source, results[job.slots[i] ?? -1], key);
      readings.set(source, reading);
      const { read } = source.native;
      // present inside the namespace: the exporter's own namespace has the value
      if (read.kind === 'home-file' && reading.ok) {
        homeReads.push(homeFile(read.path).then((value) => void readings.set(source, sourceReading(source, value, key))));
      }
    });
    if (homeReads.length === 0) job.settle(readings);
    else void Promise.all(homeReads).then(() => job.settle(readings));
  };

  const pool: PoolHandle = native.createPool(options.threads, options.timeoutMs, (data, meta) => {
    let jobs: ReturnType<typeof unpackJobs>;
    try {
      jobs = unpackJobs(data, meta);
    } catch (error) {
      // an addon bug: never expected, and never a reason to take the process down; the reads of
      // this batch end as timeouts, and the warning says why
      process.emitWarning(`native reader: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const idle = nextFinished >= finished.length;
    for (const { jobId, stage, stageErrno, results } of jobs) {
      const job = pending.get(jobId);
      if (job === undefined) continue; // timed out or aborted earlier; its bytes are dropped
      pending.delete(jobId);
      finished.push(() => settleJob(job, stage, stageErrno, results));
    }
    // not settled here, inside the addon's callback: from the next turn on, a few per turn
    if (idle && finished.length > nextFinished) setImmediate(settleSome);
  });

  function read(ns: NetnsRef, sources: readonly AnyNamespaceSource[], signal?: AbortSignal): Promise<Readings> {
    const unique = [...new Set(sources)];
    if (closed) return Promise.resolve(everyRequest(unique, { kind: 'tool-failed', detail: 'native reader is closed' }));
    if (unique.length === 0) return Promise.resolve(new Map());
    if (signal?.aborted) return Promise.resolve(everyRequest(unique, { kind: 'timeout', detail: 'aborted before the read started' }));

    const jobId = nextJobId++;
    const promise = new Promise<Readings>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => finish(everyRequest(unique, { kind: 'timeout', detail: 'read aborted' }));
      function finish(readings: Readings): void {
        if (timer === undefined) return; // already settled
        clearTimeout(timer);
        timer = undefined;
        pending.delete(jobId);
        signal?.removeEventListener('abort', onAbort);
        resolve(readings);
      }
      timer = setTimeout(
        () => finish(everyRequest(unique, { kind: 'timeout', detail: `no answer from ${ns.path} within ${options.timeoutMs} ms` })),
        options.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      const { requests: addonRequests, slots, keys } = jobPlan(unique);
      pending.set(jobId, { ns, sources: unique, slots, keys, settle: finish });
      try {
        native.submit(pool, jobId, ns.path, addonRequests, ns.dev, ns.inode);
      } catch (error) {
        finish(
          everyRequest(unique, { kind: 'tool-failed', detail: `native submit: ${error instanceof Error ? error.message : String(error)}` }),
        );
      }
    });
    settled.add(promise);
    void promise.then(() => settled.delete(promise));
    return promise;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([...settled]);
    // joins the threads; a job that timed out on our side may still be finishing its last receive
    native.destroyPool(pool);
  }

  return { name: 'native', defaultParallelism: DEFAULT_PARALLELISM, read, close, stats: () => native.poolStats(pool) };
}
