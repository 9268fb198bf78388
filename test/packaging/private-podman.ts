// Podman with a configuration, image store and run state of its own in a temporary directory, so a
// test builds and runs containers without reading or changing anything of the machine's podman
// (or of another test run's): CONTAINERS_CONF and CONTAINERS_STORAGE_CONF point into that directory,
// and cleanup() removes every container and image there, then the directory (and the blob cache
// below, if the machine had no podman state before).
//
// What the machine needs, learnt here: runc as the runtime (crun refuses hybrid cgroup v1/v2
// hierarchies), cgroupfs instead of systemd (PID 1 may not be systemd), explicit ulimits (the
// defaults podman derives from the machine are refused), events in a file (no journald), and host
// networking only, so podman never creates a bridge or touches the machine's firewall.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Options } from 'execa';

/** What a podman command printed, as text. */
export interface PodmanResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved. */
  readonly all: string;
}

export interface PrivatePodman {
  /** The temporary directory holding config, storage and run state. */
  readonly dir: string;
  /** `podman <args>` in the private environment; rejects (with podman's stderr) when it fails. */
  podman(args: readonly string[], options?: Options): Promise<PodmanResult>;
  /** As podman(), but resolves with the result whatever the exit code. */
  podmanResult(args: readonly string[], options?: Options): Promise<PodmanResult>;
  /** Removes every container and image of this environment, then the directory; safe to call twice. */
  cleanup(): Promise<void>;
}

/** Tools the container tests cannot do without, with the Debian package that has each. */
export const REQUIRED_TOOLS: readonly (readonly [tool: string, debianPackage: string])[] = [
  ['podman', 'podman'],
  ['runc', 'runc'],
  ['conmon', 'conmon'],
  ['debootstrap', 'debootstrap'],
];

/** The tools of REQUIRED_TOOLS that are not on PATH, as "tool (package)". */
export async function missingTools(): Promise<string[]> {
  const missing: string[] = [];
  for (const [tool, debianPackage] of REQUIRED_TOOLS) {
    const found = await execa('sh', ['-c', 'command -v "$1"', 'sh', tool], { reject: false });
    if (found.exitCode !== 0) missing.push(`${tool} (${debianPackage})`);
  }
  return missing;
}

// The one path no setting moves for root: containers/image keeps a blob digest cache in
// /var/lib/containers/cache. A machine without podman state gets that directory removed again.
const SYSTEM_STATE_DIR = '/var/lib/containers';

export async function createPrivatePodman(): Promise<PrivatePodman> {
  const systemStateExisted = existsSync(SYSTEM_STATE_DIR);
  const dir = await mkdtemp(join(tmpdir(), 'netns-exporter-podman-'));
  await mkdir(join(dir, 'tmp'));
  const conf = join(dir, 'containers.conf');
  const storageConf = join(dir, 'storage.conf');
  await writeFile(
    conf,
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      // Only paths that conmon's exit command (`podman container cleanup`) also receives as flags
      // are moved here: that command runs without this file, and with a database or events path
      // it cannot see, every container stays "stopped" instead of "exited" and `podman run` and
      // `podman wait` hang 20 s for it. The database and volumes stay under graphroot (default).
      `tmp_dir = ${JSON.stringify(join(dir, 'libpod-tmp'))}`,
      `image_copy_tmp_dir = ${JSON.stringify(join(dir, 'tmp'))}`,
      '[network]',
      `network_config_dir = ${JSON.stringify(join(dir, 'networks'))}`,
      '',
    ].join('\n'),
  );
  await writeFile(
    storageConf,
    [
      '[storage]',
      'driver = "overlay"',
      `graphroot = ${JSON.stringify(join(dir, 'storage'))}`,
      `runroot = ${JSON.stringify(join(dir, 'run'))}`,
      '',
    ].join('\n'),
  );
  // Build scratch space (default /var/tmp) stays inside the directory too.
  const env = { CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storageConf, TMPDIR: join(dir, 'tmp') };

  const podmanResult = async (args: readonly string[], options: Options = {}): Promise<PodmanResult> => {
    const result = await execa('podman', [...args], { ...options, env: { ...env, ...options.env }, reject: false, all: true });
    return {
      exitCode: result.exitCode,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      all: String(result.all ?? ''),
    };
  };

  const podman = async (args: readonly string[], options: Options = {}): Promise<PodmanResult> => {
    const result = await podmanResult(args, options);
    if (result.exitCode !== 0) {
      const stderr = result.stderr.trim().split('\n').slice(-15).join('\n');
      throw new Error(`podman ${args.join(' ')} exited ${result.exitCode}:\n${stderr}`);
    }
    return result;
  };

  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await podmanResult(['rm', '--all', '--force', '--time', '2']);
    await podmanResult(['rmi', '--all', '--force']);
    // Anything still mounted under the directory (an overlay of a container that would not go)
    // must be unmounted first, or rm would walk into it.
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
      .split('\n')
      .map((line) => line.split(' ')[4])
      .filter((mountPoint): mountPoint is string => mountPoint?.startsWith(`${dir}/`) === true)
      .sort((a, b) => b.length - a.length);
    for (const mountPoint of mounts) await execa('umount', ['--lazy', mountPoint], { reject: false });
    await rm(dir, { recursive: true, force: true });
    if (!systemStateExisted) await rm(SYSTEM_STATE_DIR, { recursive: true, force: true });
  };

  return { dir, podman, podmanResult, cleanup };
}
