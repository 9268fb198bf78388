// The exec backend: one `nsenter --net=<path> -- /bin/sh -c <READ_SCRIPT> ...` process per namespace
// per read, which reads every source in turn and frames their output (see read-script.ts).

import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { execa } from 'execa';
import type { NetnsRef } from '../../model/netns-ref.js';
import type { AnyNamespaceSource } from '../../sources/source.js';
import { everySource as every, type NamespaceReader, type Reading, type Readings } from '../reader.js';
import { enterFailure, failure, firstLine, sectionToReading } from './classify-failure.js';
import { splitFramedOutput } from './framed-output.js';
import { execReadWords, READ_SCRIPT } from './read-script.js';

export interface ExecReaderOptions {
  /** Deadline for a whole read; then the read's process group is killed and unfinished reads time out. */
  readonly timeoutMs: number;
  /** Deadline for one tool inside a read, so one hung tool costs only its own source; default timeoutMs / 2. */
  readonly toolTimeoutMs?: number;
  /** nsenter to run, looked up on the exporter's own PATH; default 'nsenter'. */
  readonly nsenterPath?: string;
  /** PATH for the tools inside the namespace (timeout, cat, ip, iptables-*-save); default process.env.PATH. */
  readonly toolPath?: string;
  /** Cap on one read's stdout; default 64 MiB, several times the biggest rulesets expected (docs/performance.md). */
  readonly maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** One process per read: a few more than the cores keep them busy while others wait on the kernel. */
const DEFAULT_PARALLELISM = Math.max(4, availableParallelism() * 2);
const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function createExecReader(options: ExecReaderOptions): NamespaceReader {
  const nsenterPath = options.nsenterPath ?? 'nsenter';
  const toolPath = options.toolPath ?? process.env.PATH ?? FALLBACK_PATH;
  const toolTimeoutMs = options.toolTimeoutMs ?? Math.max(1, Math.floor(options.timeoutMs / 2));
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const inFlight = new Set<Promise<Readings>>();
  let closed = false;

  async function readOnce(ns: NetnsRef, sources: readonly AnyNamespaceSource[], signal?: AbortSignal): Promise<Readings> {
    const unique = [...new Set(sources)];
    if (unique.length === 0) return new Map();
    if (closed) return every(unique, failure('tool-failed', 'exec reader is closed'));
    if (signal?.aborted) return every(unique, failure('timeout', 'read aborted before it started'));

    // The path can name a different namespace than discovery saw (a name deleted and made again, a
    // pid reused by a process elsewhere): reading it would put another namespace's numbers under
    // this label. A stat is cheap next to a process; the window left is the time to spawn.
    const identityProblem = await checkIdentity(ns);
    if (identityProblem) return every(unique, identityProblem);

    const nonce = randomBytes(16).toString('hex');
    const subprocess = execa(
      nsenterPath,
      [
        `--net=${ns.path}`,
        '--',
        '/bin/sh',
        '-c',
        READ_SCRIPT,
        'sh',
        nonce,
        toolPath,
        (toolTimeoutMs / 1000).toFixed(3),
        ...unique.flatMap((source) => execReadWords(source.name, source.exec.read)),
      ],
      {
        reject: false,
        encoding: 'buffer',
        stdin: 'ignore',
        stripFinalNewline: false,
        maxBuffer: maxOutputBytes,
        // A session and process group of its own, so one kill reaches the shell and every tool it started.
        detached: true,
        extendEnv: false,
        // nsenter is looked up on our PATH; the tools' PATH travels as an argument to the script.
        env: { PATH: process.env.PATH ?? FALLBACK_PATH, LC_ALL: 'C' },
      },
    );
    const groupId = subprocess.pid;
    const killGroup = (): void => {
      if (groupId === undefined) return;
      try {
        process.kill(-groupId, 'SIGKILL');
      } catch {
        // ESRCH: the group is empty, everything already exited.
      }
    };

    let stoppedBy: 'deadline' | 'abort' | 'overflow' | undefined;
    const stop = (reason: NonNullable<typeof stoppedBy>): void => {
      stoppedBy ??= reason;
      killGroup();
    };
    const deadline = setTimeout(() => stop('deadline'), options.timeoutMs);
    const onAbort = (): void => stop('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    // Once the shell has exited, everything it framed is in the pipe; a tool's leftover child would
    // only hold the pipes open (and the read with them) until the deadline. Our group id stays
    // reserved by the kernel while any member lives, so this kill cannot reach a stranger's group
    // while there is something to kill.
    subprocess.once('exit', killGroup);
    // execa destroys stdout when it passes maxBuffer, but waits for the process and stderr to end:
    // kill now rather than at the deadline.
    subprocess.stdout?.once('close', () => {
      if (subprocess.stdout?.readableEnded === false) stop('overflow');
    });

    let result;
    try {
      // With reject: false execa reports failures (spawn errors included) as results.
      result = await subprocess;
    } finally {
      killGroup();
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
    }

    const stdout = toBuffer(result.stdout);
    const stderr = toBuffer(result.stderr).toString('utf8');
    const framed = splitFramedOutput(
      stdout,
      nonce,
      unique.map((source) => source.name),
    );

    const unfinished = (): Reading => {
      if (stoppedBy === 'deadline') return failure('timeout', `read killed after ${options.timeoutMs} ms`);
      if (stoppedBy === 'abort') return failure('timeout', 'read aborted');
      if (stoppedBy === 'overflow' || result.isMaxBuffer) return failure('tool-failed', `output exceeded ${maxOutputBytes} bytes`);
      const reason = firstLine(stderr);
      return failure('tool-failed', `read script stopped early (${describeExit(result)})${reason ? `: ${reason}` : ''}`);
    };

    if (!framed.ready) {
      if (stoppedBy !== undefined || result.isMaxBuffer) return every(unique, unfinished());
      if (result.code === 'ENOENT' && groupId === undefined) {
        return every(unique, failure('tool-failed', `cannot run ${nsenterPath}: not found`));
      }
      const error = enterFailure(stderr, describeExit(result));
      return every(unique, { ok: false, error });
    }
    const readings = new Map<AnyNamespaceSource, Reading>();
    unique.forEach((source, key) => {
      const section = framed.sections.get(source.name);
      readings.set(source, section ? sectionToReading(source, section, toolTimeoutMs, key) : unfinished());
    });
    return readings;
  }

  return {
    name: 'exec',
    defaultParallelism: DEFAULT_PARALLELISM,
    read(ns, sources, signal) {
      // readOnce turns every failure it knows into a Reading; this catches the ones it does not.
      const pending = readOnce(ns, sources, signal).catch((error: unknown) =>
        every([...new Set(sources)], failure('tool-failed', `exec reader: ${error instanceof Error ? error.message : String(error)}`)),
      );
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
      return pending;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function checkIdentity(ns: NetnsRef): Promise<Reading | undefined> {
  try {
    const now = await stat(ns.path);
    if (now.dev !== ns.dev || now.ino !== ns.inode) {
      return failure('vanished', `${ns.path} now holds a different namespace (inode ${now.ino}, was ${ns.inode})`);
    }
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ENOENT' || code === 'ESRCH') return failure('vanished', message);
    if (code === 'EACCES' || code === 'EPERM') return failure('enter-denied', message);
    return undefined; // let nsenter report it
  }
}

function toBuffer(output: unknown): Buffer {
  if (output instanceof Uint8Array) return Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  return Buffer.alloc(0);
}

function describeExit(result: { exitCode?: number; signal?: string }): string {
  if (result.signal) return `killed by ${result.signal}`;
  return `exit status ${result.exitCode ?? 'unknown'}`;
}
