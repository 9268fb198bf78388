// What a running process holds, read from /proc: resident memory, descriptors, threads, and which
// processes descend from it or carry a marker in their command line (to prove nothing is left over).
import { readdirSync, readFileSync } from 'node:fs';

export interface ResourceUsage {
  readonly rssKiB: number;
  readonly fds: number;
  readonly threads: number;
}

/** VmRSS from /proc/<pid>/status, and the entries of /proc/<pid>/fd and /proc/<pid>/task. */
export function resourceUsage(pid: number): ResourceUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!rss) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return {
    rssKiB: Number(rss[1]),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    threads: readdirSync(`/proc/${pid}/task`).length,
  };
}

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: string;
}

function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name in parentheses may itself hold ') ', so the fields start after the last one.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trimEnd();
      entries.push({ pid: Number(name), ppid: Number(fields[1]), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return entries;
}

/** Every live process whose parent chain leads to `pid` (its children, their children, ...). */
export function descendantsOf(pid: number): { pid: number; cmdline: string }[] {
  const all = listProcesses();
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of all) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found: ProcessEntry[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found.map(({ pid: p, cmdline }) => ({ pid: p, cmdline }));
}

/**
 * Every live process whose command line contains `marker`. Orphans are adopted by init when their
 * parent dies, so a parent-chain scan alone would miss a tool the exporter left behind.
 */
export function processesMentioning(marker: string): { pid: number; cmdline: string }[] {
  return listProcesses()
    .filter((entry) => entry.pid !== process.pid && entry.cmdline.includes(marker))
    .map(({ pid, cmdline }) => ({ pid, cmdline }));
}

/** Polls until `check` returns true or `timeoutMs` passes; returns the last answer. */
export async function eventually(check: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
