// Running the exporter as an ordinary user with a chosen set of capabilities, the way a systemd
// unit (User=, AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=) or a container
// (runAsUser, capabilities.add/drop: ALL) would: `setpriv` switches uid/gid and leaves exactly
// these capabilities inheritable and ambient, so they survive the exec into node and from node
// into nsenter, sh and the iptables tools (none of which has file capabilities or setuid).
import { constants } from 'node:fs';
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
  if (uid.exitCode !== 0 || gid.exitCode !== 0) throw new Error('least-privilege tests need the system user "nobody" (useradd --system nobody)');
  return { name: 'nobody', uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/** The exporter's files must be readable by that user, or the test would prove nothing about capabilities. */
export async function assertReadableBy(user: UnprivilegedUser): Promise<void> {
  const probe = await execa('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', 'node', '-e', `require('fs').accessSync(${JSON.stringify(builtMain)}, ${constants.R_OK})`], { reject: false });
  if (probe.exitCode !== 0) {
    throw new Error(
      `user ${user.name} cannot read ${builtMain} (a parent directory is not world-searchable?): ` +
        'the least-privilege tests must run from a checkout other users can read',
    );
  }
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
export async function scrapeOnce(user: UnprivilegedUser | undefined, capabilities: readonly Capability[], args: readonly string[], options: SetprivOptions = {}): Promise<OnceResult> {
  const argv = [...(user ? setprivPrefix(user, capabilities, options) : []), 'node', builtMain, '--once', ...args];
  const [command, ...rest] = argv as [string, ...string[]];
  const result = await execa(command, rest, { reject: false, timeout: 60_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}
