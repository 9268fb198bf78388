// Running the exporter as an ordinary user with a chosen set of capabilities, the way a systemd
// unit (User=, AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=) or a container
// (runAsUser, capabilities.add/drop: ALL) would: `setpriv` switches uid/gid and leaves exactly
// these capabilities inheritable and ambient, so they survive the exec into node and from node
// into nsenter, sh and the iptables tools (none of which has file capabilities or setuid).
import { constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { builtMain } from '../support/built.js';

/** Capabilities by setpriv's names (capabilities(7) without the CAP_ prefix, lower case). */
export type Capability = 'sys_admin' | 'net_admin' | 'net_raw' | 'dac_read_search' | 'sys_ptrace';

/** The set docs/security.md documents for the exec backend; each one is shown to be needed. */
export const EXEC_BACKEND_CAPABILITIES: readonly Capability[] = ['sys_admin', 'net_admin', 'net_raw', 'dac_read_search', 'sys_ptrace'];

export interface UnprivilegedUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** `nobody` (present on every Debian/Ubuntu/RHEL system); fails with a clear reason otherwise. */
export async function nobodyUser(): Promise<UnprivilegedUser> {
  const uid = await execa('id', ['-u', 'nobody'], { reject: false });
  const gid = await execa('id', ['-g', 'nobody'], { reject: false });
  if (uid.exitCode !== 0 || gid.exitCode !== 0)
    throw new Error('least-privilege tests need the system user "nobody" (useradd --system nobody)');
  return { name: 'nobody', uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/**
 * The exporter's entry point as `user` can read it: the build itself when the checkout is readable
 * by others, else a copy (dist, package.json, node_modules) staged in a world-readable temp dir, so
 * that a checkout under a 0700 directory (/root/...) still tests capabilities, not file modes.
 */
export async function exporterMainFor(user: UnprivilegedUser): Promise<{ main: string; cleanup: () => Promise<void> }> {
  if (await canRead(user, builtMain)) return { main: builtMain, cleanup: async () => undefined };
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const staged = await mkdtemp(join(tmpdir(), 'netns-exporter-privtest-'));
  for (const entry of ['dist', 'package.json', 'node_modules']) {
    await execa('cp', ['-a', join(root, entry), join(staged, entry)]);
  }
  await execa('chmod', ['-R', 'a+rX', staged]);
  const main = join(staged, 'dist', 'cli', 'main.js');
  if (!(await canRead(user, main))) throw new Error(`user ${user.name} cannot read the staged copy ${main}`);
  return { main, cleanup: () => rm(staged, { recursive: true, force: true }) };
}

async function canRead(user: UnprivilegedUser, path: string): Promise<boolean> {
  const probe = await execa(
    'setpriv',
    [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--clear-groups',
      '--',
      'node',
      '-e',
      `require('fs').accessSync(${JSON.stringify(path)}, ${constants.R_OK})`,
    ],
    { reject: false },
  );
  return probe.exitCode === 0;
}

export interface SetprivOptions {
  /** Supplementary groups (e.g. [0] as the alternative to dac_read_search); default none. */
  readonly groups?: readonly number[];
}

/** argv prefix that execs the rest as `user` with exactly `capabilities` (none when empty). */
export function setprivPrefix(user: UnprivilegedUser, capabilities: readonly Capability[], options: SetprivOptions = {}): string[] {
  const set = ['-all', ...capabilities.map((capability) => `+${capability}`)].join(',');
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    options.groups?.length ? `--groups=${options.groups.join(',')}` : '--clear-groups',
    // As systemd's NoNewPrivileges=yes: ambient capabilities do not need setuid or file capabilities.
    '--no-new-privs',
    `--inh-caps=${set}`,
    `--ambient-caps=${set}`,
    `--bounding-set=${set}`,
    '--',
  ];
}

export interface OnceResult {
  readonly exitCode: number | undefined;
  /** The exposition text. */
  readonly stdout: string;
  /** The JSON log lines. */
  readonly stderr: string;
}

/** One `--once` scrape as `user` with `capabilities`, or as root when user is undefined. */
export async function scrapeOnce(
  user: UnprivilegedUser | undefined,
  capabilities: readonly Capability[],
  args: readonly string[],
  options: SetprivOptions & { readonly main?: string } = {},
): Promise<OnceResult> {
  const argv = [...(user ? setprivPrefix(user, capabilities, options) : []), 'node', options.main ?? builtMain, '--once', ...args];
  const [command, ...rest] = argv as [string, ...string[]];
  const result = await execa(command, rest, { reject: false, timeout: 60_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}
