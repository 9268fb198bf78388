// Stand-in programs put first on the exporter's PATH, in place of a real tool (nsenter,
// iptables-nft-save): to count how often the exporter runs a tool, slow it down, or make it hang,
// crash or lie. The directory's unique path is also a marker: any process still running a stand-in
// has it in its command line.
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface StandIns {
  /** The directory holding the stand-ins; unique, so it doubles as a marker in command lines. */
  readonly dir: string;
  /** A PATH value for the exporter: the stand-ins first, then this process's own PATH. */
  readonly path: string;
  /** Writes an executable `/bin/sh` script named `name` into the directory. */
  script(name: string, body: string): Promise<string>;
  /** A symlink to a real program under a new name, so processes running it carry the marker. */
  alias(name: string, target: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createStandIns(): Promise<StandIns> {
  const dir = await mkdtemp(join(tmpdir(), 'nxt-standin-'));
  return {
    dir,
    path: `${dir}${delimiter}${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    async script(name, body) {
      const file = join(dir, name);
      await writeFile(file, `#!/bin/sh\n${body}\n`);
      await chmod(file, 0o755);
      return file;
    },
    async alias(name, target) {
      const file = join(dir, name);
      await symlink(target, file);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Where `tool` is on this process's PATH (the real one a stand-in hands over to). */
export function realTool(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${tool} is not on PATH`);
}

/** Single-quotes a value for a stand-in script we write ourselves (paths of our own temp dirs). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
