// NamespaceReader over the native addon: each read() is one job for the addon's own threads, which
// enter the namespace with setns, run the syscalls and return raw bytes. Nothing is parsed here; this
// file only chooses the syscalls per request and turns errnos into ReaderError kinds.

import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import type { NetnsRef } from '../../discovery/netns-ref.js';
import { xtablesHasNoTables } from '../../parsers/netlink/xtables-entries.js';
import type { NamespaceReader, RawFormat, Reading, ReaderError, Readings, ReadRequest } from '../reader.js';
import { JobStage, loadNativeAddon, unpackJobs, type AddonRequest, type NetnsReaderAddon, type PoolHandle } from './load-addon.js';
import { getLinkDumpRequest, NETLINK_NETFILTER, NETLINK_ROUTE, nftRulesetDumpRequests } from './netlink-requests.js';

export interface NativeReaderOptions {
  /** Threads that enter namespaces; each holds one namespace at a time. */
  readonly threads: number;
  /** Per read, from submission (queueing included) to the last byte; also bounds each netlink receive. */
  readonly timeoutMs: number;
  /** The loaded addon; loaded from native/build when omitted. */
  readonly addon?: NetnsReaderAddon;
}

interface RequestPlan {
  /** What the addon is asked for; several read requests may share one (the same object). */
  readonly request: AddonRequest;
  readonly format: RawFormat;
  /** errno names that mean "nothing here" rather than failure. */
  readonly absentWhen: ReadonlySet<string>;
  /** Bytes that mean "nothing here". */
  readonly emptyWhen?: (data: Buffer) => boolean;
}

// EPROTONOSUPPORT: no nfnetlink; EOPNOTSUPP: nfnetlink without nf_tables
const NFT_ABSENT = new Set(['EPROTONOSUPPORT', 'EOPNOTSUPP']);
const FILE_ABSENT = new Set(['ENOENT']);
const NEVER_ABSENT = new Set<string>();

// One link dump answers both: its IFLA_STATS64 holds every /proc/net/dev counter (same dev_get_stats()).
const LINK_DUMP: AddonRequest = [2, NETLINK_ROUTE, getLinkDumpRequest()];
// One set of NFPROTO_UNSPEC dumps answers both families; the parser keeps each reading's own.
const NFT_DUMPS: AddonRequest = [2, NETLINK_NETFILTER, nftRulesetDumpRequests()];
// The conntrack count of the namespace the thread is in, in the `entries` column. Not the
// nf_conntrack_count sysctl: every namespace registers its own sysctl entries under the same name,
// and a lookup walks all of them, so reading the sysctl in each of N namespaces costs O(N^2)
// (measured: 120 µs a read at 1,000 namespaces, against 27 µs for this file).
const CONNTRACK_STAT: AddonRequest = [1, '/proc/thread-self/net/stat/nf_conntrack'];

const PLANS: Readonly<Record<ReadRequest, RequestPlan>> = {
  'net-dev': { request: LINK_DUMP, format: 'rtnetlink', absentWhen: NEVER_ABSENT },
  links: { request: LINK_DUMP, format: 'rtnetlink', absentWhen: NEVER_ABSENT },
  'iptables-nft-ipv4': { request: NFT_DUMPS, format: 'nfnetlink', absentWhen: NFT_ABSENT },
  'iptables-nft-ipv6': { request: NFT_DUMPS, format: 'nfnetlink', absentWhen: NFT_ABSENT },
  // ENOENT: ip_tables is not loaded at all; an empty names file: loaded, but no table in this namespace
  'iptables-legacy-ipv4': { request: [3, 4], format: 'xt-entries', absentWhen: FILE_ABSENT, emptyWhen: xtablesHasNoTables },
  'iptables-legacy-ipv6': { request: [3, 6], format: 'xt-entries', absentWhen: FILE_ABSENT, emptyWhen: xtablesHasNoTables },
  // thread-self, not self: setns moved only the worker thread
  'conntrack-count': { request: CONNTRACK_STAT, format: 'nf-conntrack-stat', absentWhen: FILE_ABSENT },
  // the limit is one kernel global (nf_conntrack_max, read-only in every namespace but the initial
  // one): read in the exporter's own namespace (see homeConntrackMax) wherever conntrack is present
  'conntrack-max': { request: CONNTRACK_STAT, format: 'text', absentWhen: FILE_ABSENT },
};

/** How long one reading of the global conntrack limit is used: a scrape's namespaces share one. */
const CONNTRACK_MAX_TTL_MS = 1000;
const CONNTRACK_MAX_PATH = '/proc/sys/net/netfilter/nf_conntrack_max';

/** Jobs settled per turn of the event loop (see `finished` in createNativeReader). */
const SETTLED_PER_TURN = 8;

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

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

function requestReading(request: ReadRequest, result: Buffer | number | undefined): Reading {
  const plan = PLANS[request];
  if (result === undefined) return { ok: false, error: { kind: 'tool-failed', detail: `${request}: no result` } };
  if (typeof result === 'number') {
    const name = errnoName(result);
    if (plan.absentWhen.has(name)) return { ok: false, error: { kind: 'not-present', detail: `${request}: ${name}` } };
    if (name === 'ETIMEDOUT') return { ok: false, error: { kind: 'timeout', detail: `${request}: netlink answer timed out` } };
    return { ok: false, error: { kind: 'tool-failed', detail: `${request}: ${name}` } };
  }
  if (plan.emptyWhen?.(result)) return { ok: false, error: { kind: 'not-present', detail: `${request}: no tables` } };
  return { ok: true, format: plan.format, data: result };
}

/** nf_conntrack_max as this process's namespace sees it, read at most once a second. */
function homeConntrackMax(): () => Promise<Buffer | number> {
  let cached: { readonly at: number; readonly value: Promise<Buffer | number> } | undefined;
  return () => {
    const now = performance.now();
    if (cached === undefined || now - cached.at > CONNTRACK_MAX_TTL_MS) {
      cached = {
        at: now,
        value: readFile(CONNTRACK_MAX_PATH).catch((error: NodeJS.ErrnoException) => constants.errno[error.code as keyof typeof constants.errno] ?? constants.errno.EIO),
      };
    }
    return cached.value;
  };
}

function everyRequest(requests: readonly ReadRequest[], error: ReaderError): Readings {
  return new Map(requests.map((request) => [request, { ok: false, error }]));
}

interface PendingJob {
  readonly ns: NetnsRef;
  readonly requests: readonly ReadRequest[];
  /** Index of each read request's addon request in the job (read requests may share one). */
  readonly slots: ReadonlyMap<ReadRequest, number>;
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
  const conntrackMax = homeConntrackMax();

  /**
   * Finished jobs wait here and are settled a few per turn of the event loop: a batch can hold
   * dozens of namespaces (64 reads stay queued), and each settle runs that namespace's collectors
   * once this callback returns (a full parse is about a millisecond), so settling a whole batch at
   * once kept /healthz waiting (over 50 ms at 300 routers), and one per turn cost the loop's own
   * overhead a thousand times a scrape (about 7 % at 1,000 routers).
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
      job.settle(everyRequest(job.requests, enterError(job.ns, stage, stageErrno)));
      return;
    }
    const readings = new Map<ReadRequest, Reading>();
    for (const request of job.requests) readings.set(request, requestReading(request, results[job.slots.get(request) ?? -1]));
    // conntrack-max's own request is the count file: where it is present, the global limit applies
    const max = readings.get('conntrack-max');
    if (max === undefined || !max.ok) {
      job.settle(readings);
      return;
    }
    void conntrackMax().then((limit) => {
      readings.set('conntrack-max', requestReading('conntrack-max', limit));
      job.settle(readings);
    });
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

  function read(ns: NetnsRef, requests: readonly ReadRequest[], signal?: AbortSignal): Promise<Readings> {
    const unique = [...new Set(requests)];
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
      const addonRequests: AddonRequest[] = [];
      const slots = new Map<ReadRequest, number>();
      for (const request of unique) {
        const wanted = PLANS[request].request;
        let slot = addonRequests.indexOf(wanted);
        if (slot === -1) slot = addonRequests.push(wanted) - 1;
        slots.set(request, slot);
      }
      pending.set(jobId, { ns, requests: unique, slots, settle: finish });
      try {
        native.submit(pool, jobId, ns.path, addonRequests, ns.dev, ns.inode);
      } catch (error) {
        finish(everyRequest(unique, { kind: 'tool-failed', detail: `native submit: ${error instanceof Error ? error.message : String(error)}` }));
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

  // measured at 1,000 routers on 2 cores: 0.77 s a scrape with 4 reads in flight, 0.63-0.73 s with 16 to 256
  return { name: 'native', queueDepth: 64, read, close, stats: () => native.poolStats(pool) };
}

