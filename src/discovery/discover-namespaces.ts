// Finds every network namespace on the host: the named ones (bind mounts under /run/netns and any
// other directory given) and the ones held only by a process (/proc/<pid>/ns/net), each once.

import { closeSync, Dirent, openSync, readFileSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { classifyNetnsName } from './netns-kind.js';
import type { NetnsRef } from '../model/netns-ref.js';
import { CMDLINE_BYTES, commHidesCommand, type NetnsProcess } from '../model/records/processes.js';

export interface DiscoveryOptions {
  /** Directories whose entries are namespace bind mounts; default ['/run/netns']. */
  readonly netnsDirs: readonly string[];
  /** Also report namespaces that no name points to, found through /proc/<pid>/ns/net. */
  readonly scanProcesses: boolean;
  /** Report the exporter's own namespace, as `host`. */
  readonly includeHost: boolean;
  /**
   * Also say which processes live in each namespace (NetnsRef.processes), for the processes
   * collector: the same walk of /proc as scanProcesses, made when either asks for it, reading the
   * name of each process outside the exporter's own namespace.
   */
  readonly listProcesses?: boolean;
  /** Where to scan processes (e.g. the host's /proc mounted in a container); default '/proc'. */
  readonly procRoot?: string;
}

export interface DiscoveryResult {
  /** Sorted by name; every namespace at most once. */
  readonly namespaces: readonly NetnsRef[];
  /** Problems that made discovery incomplete (an unreadable directory); the rest still answers. */
  readonly errors: readonly string[];
}

/**
 * Stats and readlinks are made synchronously, this many between turns of the event loop: each is a
 * few microseconds of system call, where the asynchronous form costs a libuv thread-pool round trip on
 * top, several times the call itself (docs/performance.md, "Figures behind the code"). Discovery runs
 * before any namespace is read, so this is wall time of every scrape. The files are nsfs bind mounts and /proc links, which do not block.
 */
const CALLS_PER_TURN = 256;

// The exporter's own namespace, always through the real /proc even when procRoot points elsewhere:
// this is the namespace our own process sits in.
const OWN_NETNS_LINK = '/proc/self/ns/net';

interface NamespaceIdentity {
  readonly dev: number;
  readonly inode: number;
}

const identityKey = (id: NamespaceIdentity): string => `${id.dev}:${id.inode}`;

/** A directory entry that may be a namespace bind mount. */
interface Candidate {
  readonly path: string;
  readonly name: string;
}

export async function discoverNamespaces(options: DiscoveryOptions): Promise<DiscoveryResult> {
  const errors: string[] = [];
  let own: Stats;
  try {
    own = statSync(OWN_NETNS_LINK);
  } catch (error) {
    return { namespaces: [], errors: [`cannot stat ${OWN_NETNS_LINK}: ${describeError(error)}`] };
  }
  // Every namespace file (named bind mount or /proc link target) lives on the one nsfs device.
  const nsfsDev = own.dev;
  const ownKey = identityKey({ dev: own.dev, inode: own.ino });

  const listProcesses = options.listProcesses === true;
  const [named, walk] = await Promise.all([
    findNamed(options.netnsDirs, nsfsDev, errors),
    options.scanProcesses || listProcesses
      ? walkProcesses(options.procRoot ?? '/proc', nsfsDev, own.ino, listProcesses, errors)
      : undefined,
  ]);
  const held = options.scanProcesses ? (walk?.refs ?? []) : [];

  const byIdentity = new Map<string, NetnsRef>();
  if (options.includeHost) {
    byIdentity.set(ownKey, {
      name: 'host',
      // Our pid, not "self": the path is opened by a child (nsenter), where self is the child.
      path: `/proc/${process.pid}/ns/net`,
      dev: own.dev,
      inode: own.ino,
      kind: 'host',
      id: '',
      source: 'host',
    });
  }
  // Named first so a name wins over `net:[inode]`; the host entry above wins over both, and
  // without includeHost the host stays out even when something names it.
  for (const ref of [...named, ...held]) {
    const key = identityKey(ref);
    if (key === ownKey || byIdentity.has(key)) continue;
    byIdentity.set(key, ref);
  }

  let namespaces = [...byIdentity.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // The host's own processes are not listed (not read at all): they are node_exporter's. A walk that
  // could not list /proc leaves every namespace's list unknown rather than empty.
  const byInode = walk?.processes;
  if (listProcesses && byInode !== undefined) {
    namespaces = namespaces.map((ns) => (ns.source === 'host' ? ns : { ...ns, processes: byInode.get(ns.inode) ?? NO_PROCESSES }));
  }
  if (walk?.examinesEveryone === true) namespaces = namespaces.map((ns) => withHolder(ns, walk));
  return { namespaces, errors };
}

const NO_PROCESSES: readonly NetnsProcess[] = Object.freeze([]);

/**
 * A namespace of kind other (`net:[<inode>]`, `cni-...`, a container's) with its holder: the lowest
 * pid in it, its comm and its cgroup (two small reads, for these namespaces only). Neutron's own are
 * named for what they are, and their lowest pid changes with every restart of a service.
 */
function withHolder(ns: NetnsRef, walk: ProcessWalk): NetnsRef {
  if (ns.kind !== 'other' || ns.source === 'host') return ns;
  const pid = walk.lowest.get(ns.inode);
  if (pid === undefined) return ns;
  const listed = ns.processes?.[0];
  const comm = listed?.pid === pid ? listed.comm : walk.reader.comm(pid);
  if (comm === undefined) return ns; // it exited meanwhile
  return { ...ns, holder: { pid, comm, cgroup: walk.reader.text(pid, 'cgroup') ?? '' } };
}

/** Named namespaces in directory order, then by name within a directory (so duplicates resolve the same way every time). */
async function findNamed(dirs: readonly string[], nsfsDev: number, errors: string[]): Promise<NetnsRef[]> {
  const candidates: Candidate[] = [];
  for (const dir of dirs) {
    let entries: Dirent<Buffer>[];
    try {
      // Buffers, because a name is any bytes but NUL and '/'; decoding first would hide bad UTF-8.
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue; // no namespace was ever named here
      errors.push(`cannot read namespace directory ${dir}: ${describeError(error)}`);
      continue;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      if (entry.isDirectory()) continue;
      // A name that is not valid UTF-8 cannot be a label value, and cannot be handed to nsenter
      // either (child-process arguments are UTF-8 strings), so it is skipped with an error. If a
      // process holds that namespace too, the process scan still reports it as `net:[<inode>]`.
      if (!isUtf8(entry.name)) {
        errors.push(`skipped namespace whose name is not valid UTF-8 in ${dir}: ${escapeBytes(entry.name)}`);
        continue;
      }
      const name = entry.name.toString('utf8');
      candidates.push({ path: joinPath(dir, name), name });
    }
  }
  const refs = await mapSliced(candidates, (candidate) => {
    try {
      return namedRef(candidate, statSync(candidate.path), nsfsDev);
    } catch (error) {
      // Deleted since readdir: gone, not broken.
      if (errorCode(error) !== 'ENOENT') errors.push(`cannot stat ${candidate.path}: ${describeError(error)}`);
      return undefined;
    }
  });
  return refs.filter((ref): ref is NetnsRef => ref !== undefined);
}

interface ProcessWalk {
  /** One ref per process whose namespace link resolves, lowest pid first (duplicates are removed by the caller). */
  readonly refs: NetnsRef[];
  /** The processes of each namespace by inode, lowest pid first; undefined when they were not asked for or /proc could not be listed. */
  readonly processes: Map<number, NetnsProcess[]> | undefined;
  /** The lowest pid seen in each namespace but the exporter's own, by inode. */
  readonly lowest: Map<number, number>;
  /** True when the exporter may examine every process (CAP_SYS_PTRACE): the lowest pid seen is the lowest there is. */
  readonly examinesEveryone: boolean;
  readonly reader: ProcessNameReader;
}

/**
 * Reads every /proc/<pid>/ns/net once. With `listNames`, also the name of every process whose
 * namespace is not `ownInode` (the exporter's own), by inode: a few microseconds of system call each,
 * and no read at all for the host's own processes, which are most of a host's.
 */
async function walkProcesses(
  procRoot: string,
  nsfsDev: number,
  ownInode: number,
  listNames: boolean,
  errors: string[],
): Promise<ProcessWalk> {
  const names = new ProcessNameReader(procRoot);
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch (error) {
    errors.push(`cannot read ${procRoot} to find unnamed namespaces: ${describeError(error)}`);
    return { refs: [], processes: undefined, lowest: new Map(), examinesEveryone: false, reader: names };
  }
  const pids = entries
    .filter((entry) => /^[0-9]+$/.test(entry))
    .map(Number)
    .sort((a, b) => a - b);
  let denied = 0;
  let firstDenied = '';
  // Without CAP_SYS_PTRACE other users' processes (dnsmasq runs as nobody) cannot be examined: a count
  // would leave them out, and a 0 would be made up. Their lists stay unknown (the collector fails).
  const examinesEveryone = mayExamineOtherUsers(listNames ? errors : []);
  const processes = listNames && examinesEveryone ? new Map<number, NetnsProcess[]>() : undefined;
  const lowest = new Map<number, number>();
  const refs = await mapSliced(pids, (pid): NetnsRef | undefined => {
    const path = `${procRoot}/${pid}/ns/net`;
    // readlink, not stat: the link text `net:[<inode>]` is the identity (every namespace file is on
    // the one nsfs device), and it skips resolving the link to a file, which made the scan of 2,000
    // processes about twice as slow.
    let target: string;
    try {
      target = readlinkSync(path);
    } catch (error) {
      const code = errorCode(error);
      // The process exited during the scan (ENOENT), or is exiting and has dropped its
      // namespaces already (ESRCH): nothing was missed that still exists.
      if (code !== 'ENOENT' && code !== 'ESRCH' && denied++ === 0) firstDenied = `${code ?? describeError(error)} for pid ${pid}`;
      return undefined;
    }
    const inode = /^net:\[([0-9]+)\]$/.exec(target)?.[1];
    if (inode === undefined) return undefined;
    const ino = Number(inode);
    if (ino !== ownInode && !lowest.has(ino)) lowest.set(ino, pid); // pids in ascending order
    if (processes !== undefined && ino !== ownInode) {
      // a process that exits before its name is read is not counted: it is gone
      const process = names.read(pid);
      if (process !== undefined) {
        const list = processes.get(ino);
        if (list === undefined) processes.set(ino, [process]);
        else list.push(process);
      }
    }
    return { name: target, path, dev: nsfsDev, inode: ino, kind: 'other', id: '', source: 'process' };
  });
  // Once, not per process: without root this would otherwise be thousands of lines. Root is denied
  // too, for a process of another user namespace (a sandbox's or container runtime's init), so the
  // errno and the first pid say which case this is rather than a guess.
  if (denied > 0) {
    errors.push(
      `could not examine the network namespace of ${denied} processes under ${procRoot} (first: ${firstDenied}; ` +
        "reading another user's needs CAP_SYS_PTRACE, and a process of another user namespace may refuse even root)",
    );
  }
  return { refs: refs.filter((ref): ref is NetnsRef => ref !== undefined), processes, lowest, examinesEveryone, reader: names };
}

/** CAP_SYS_PTRACE, bit 19 of the effective set (linux/capability.h). */
const CAP_SYS_PTRACE = 19n;

/**
 * True when this process has CAP_SYS_PTRACE (/proc/self/status CapEff), which examining other users'
 * processes needs; when not, why not goes into `errors`.
 */
function mayExamineOtherUsers(errors: string[]): boolean {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch (error) {
    errors.push(`processes are not counted: cannot read /proc/self/status: ${describeError(error)}`);
    return false;
  }
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_SYS_PTRACE) & 1n) === 1n) return true;
  errors.push("processes are not counted: without CAP_SYS_PTRACE other users' processes cannot be examined");
  return false;
}

/**
 * Reads a process's comm (and, where that cannot name the command, the start of its cmdline) into
 * one buffer kept for the walk: open, one read, close, without the stat and the allocation of
 * readFileSync (about half the time on /proc files, which report a size of 0 anyway).
 */
class ProcessNameReader {
  private readonly buffer = Buffer.allocUnsafe(CMDLINE_BYTES);

  constructor(private readonly procRoot: string) {}

  read(pid: number): NetnsProcess | undefined {
    const commBytes = this.readInto(`${this.procRoot}/${pid}/comm`);
    if (commBytes === undefined) return undefined;
    const end = commBytes > 0 && this.buffer[commBytes - 1] === 0x0a ? commBytes - 1 : commBytes;
    const comm = this.buffer.toString('utf8', 0, end);
    if (!commHidesCommand(comm, end)) return { pid, comm };
    const cmdline = this.text(pid, 'cmdline');
    return cmdline === undefined ? undefined : { pid, comm, cmdline };
  }

  /** The process's comm without its newline; undefined when it is gone. */
  comm(pid: number): string | undefined {
    return this.text(pid, 'comm')?.replace(/\n$/, '');
  }

  /** The start of /proc/<pid>/<file> (CMDLINE_BYTES at most); undefined when the process is gone. */
  text(pid: number, file: 'cmdline' | 'cgroup' | 'comm'): string | undefined {
    const bytes = this.readInto(`${this.procRoot}/${pid}/${file}`);
    return bytes === undefined ? undefined : this.buffer.toString('utf8', 0, bytes);
  }

  /** Bytes read into the buffer, or undefined when the process is gone (or its file unreadable: not counted either). */
  private readInto(path: string): number | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    try {
      return readSync(fd, this.buffer, 0, this.buffer.length, 0);
    } catch {
      return undefined; // ESRCH: it exited between open and read
    } finally {
      closeSync(fd);
    }
  }
}

function namedRef(candidate: Candidate, stats: Stats, nsfsDev: number): NetnsRef | undefined {
  // A named entry that is not on nsfs is a plain file: `ip netns add` creates it before the bind
  // mount and `ip netns delete` unmounts before unlinking it. Its stat is the tmpfs file's, not a
  // namespace, so it is skipped rather than reported under a bogus identity.
  if (stats.dev !== nsfsDev) return undefined;
  const { kind, id } = classifyNetnsName(candidate.name);
  return {
    name: candidate.name,
    path: candidate.path,
    dev: stats.dev,
    inode: stats.ino,
    kind,
    id,
    source: 'named',
  };
}

/** `fn` over `items` in order, giving the event loop a turn every CALLS_PER_TURN items. */
async function mapSliced<T, R>(items: readonly T[], fn: (item: T) => R): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % CALLS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    results.push(fn(items[i] as T));
  }
  return results;
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes)
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
