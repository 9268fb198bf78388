// The real exporter binary (dist/cli/main.js) as the bench runs it, and what /proc says about it:
// CPU ticks of its own threads and of its waited-for children (the exec backend's nsenter processes),
// peak and current RSS, open descriptors and threads.

import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface RunningExporter {
  readonly pid: number;
  readonly port: number;
  /** warn/error/fatal lines it logged so far (a healthy bench run has none). */
  readonly problems: string[];
  /** SIGTERM, then SIGKILL after 15 s; resolves when it exited. */
  stop(): Promise<void>;
  /** SIGKILL now, without waiting (for signal handlers). */
  killNow(): void;
}

export interface ExporterStartOptions {
  /** Path of dist/cli/main.js. */
  readonly main: string;
  readonly args: readonly string[];
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  readonly nodeFlags?: readonly string[];
  /** NODE_OPTIONS for the exporter (unset when undefined or empty). */
  readonly nodeOptions?: string;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export async function startExporter(options: ExporterStartOptions): Promise<RunningExporter> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (options.nodeOptions) env.NODE_OPTIONS = options.nodeOptions;
  const child = spawn('node', [...(options.nodeFlags ?? []), options.main, '--web.listen-address=127.0.0.1:0', ...options.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const problems: string[] = [];
  let pending = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onLine = (line: string): void => {
      const address = /"address":"127\.0\.0\.1:(\d+)"/.exec(line);
      if (address) resolve(Number(address[1]));
      const level = /"level":(\d+)/.exec(line);
      if (level && Number(level[1]) >= 40 && problems.length < 20) problems.push(line.slice(0, 400));
    };
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exporter exited (${code}) before listening: ${pending}${problems.join('\n')}`)));
  });
  const pid = child.pid as number;
  return {
    pid,
    port,
    problems,
    killNow: () => void child.kill('SIGKILL'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface CpuSeconds {
  /** utime + stime of every thread of the process. */
  readonly own: number;
  /** cutime + cstime: children it has waited for (nsenter, sh, iptables-save... on the exec backend). */
  readonly children: number;
}

/** Field n (1-based, as proc(5) numbers them) of a /proc stat file, as a number. */
function statFields(path: string): (n: number) => number {
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may contain spaces and parentheses; fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (n) => Number(fields[n - 3]);
}

export function cpuSeconds(pid: number): CpuSeconds {
  const field = statFields(`/proc/${pid}/stat`);
  return {
    own: (field(14) + field(15)) / CLOCK_TICKS_PER_SECOND,
    children: (field(16) + field(17)) / CLOCK_TICKS_PER_SECOND,
  };
}

/** utime and stime of one thread of this process, in seconds. */
export function ownThreadCpuSeconds(tid: number): { user: number; system: number } {
  const field = statFields(`/proc/self/task/${tid}/stat`);
  return { user: field(14) / CLOCK_TICKS_PER_SECOND, system: field(15) / CLOCK_TICKS_PER_SECOND };
}

/** A `Vm*:` line of /proc/<pid>/status, in bytes. */
export function statusBytes(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}
