// What /proc says about a running exporter: resident memory, open descriptors, threads, and the
// network namespace of each thread (an inode per thread, compared with the process's own).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function threadIds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

/** `net:[<inode>]` of the process, and of every thread whose namespace differs from it. */
export function threadsOutsideOwnNamespace(pid: number): { own: string; outside: { tid: number; netns: string }[] } {
  const own = readlinkSync(`/proc/${pid}/ns/net`);
  const outside: { tid: number; netns: string }[] = [];
  for (const tid of threadIds(pid)) {
    let netns: string;
    try {
      netns = readlinkSync(`/proc/${pid}/task/${tid}/ns/net`);
    } catch {
      continue; // the thread exited between the listing and the readlink
    }
    if (netns !== own) outside.push({ tid, netns });
  }
  return { own, outside };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
