// A test-only build of the native addon, compiled with NETNS_READER_TEST_HOOKS: the switches tests
// need to reach failure paths (NETNS_READER_TEST_FAIL_RETURN: a worker cannot return home) exist only
// in it, never in native/build, the addon `npm ci` builds and the exporter loads.
//
// Built by node-gyp from native/src and a copy of native/binding.gyp with one more define, in a
// directory under the system temp dir named after the sources' hash, so a second run reuses it.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon, type NetnsReaderAddon } from '../../src/readers/native/load-addon.js';

export const TEST_HOOKS_DEFINE = 'NETNS_READER_TEST_HOOKS';
/** The environment variable the test-hooks build reads when a pool starts. */
export const FAIL_RETURN_VARIABLE = 'NETNS_READER_TEST_FAIL_RETURN';

const nativeDir = fileURLToPath(new URL('../../native/', import.meta.url));

interface BindingGyp {
  targets: { target_name: string; defines: string[] }[];
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const name of [
    'binding.gyp',
    ...readdirSync(join(nativeDir, 'src'))
      .sort()
      .map((file) => `src/${file}`),
  ]) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(nativeDir, name)))
      .update('\0');
  }
  return hash.update(process.version).digest('hex').slice(0, 16);
}

function nodeGyp(): string {
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const found = [process.env.npm_config_node_gyp, bundled].find((candidate) => candidate && existsSync(candidate));
  if (found === undefined) throw new Error('node-gyp not found (it comes with npm)');
  return found;
}

/** Builds (or reuses) the test-hooks addon; throws with node-gyp's output when the build fails. */
export function buildTestHooksAddon(): { readonly addon: NetnsReaderAddon; readonly path: string } {
  const dir = join(tmpdir(), `netns-exporter-test-hooks-addon-${sourcesHash()}`);
  const addonPath = join(dir, 'build', 'Release', 'netns_reader.node');
  if (!existsSync(addonPath)) {
    const work = mkdtempSync(join(tmpdir(), 'netns-exporter-test-hooks-build-'));
    try {
      cpSync(join(nativeDir, 'src'), join(work, 'src'), { recursive: true });
      const gyp = JSON.parse(readFileSync(join(nativeDir, 'binding.gyp'), 'utf8')) as BindingGyp;
      for (const target of gyp.targets) target.defines = [...target.defines, TEST_HOOKS_DEFINE];
      writeFileSync(join(work, 'binding.gyp'), JSON.stringify(gyp, null, 2));
      const args = [nodeGyp(), 'rebuild', '--directory', work];
      const prefix = resolve(dirname(process.execPath), '..');
      if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
      const build = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (build.status !== 0) throw new Error(`test-hooks addon build failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
      try {
        renameSync(work, dir); // atomic: a concurrent run either wins or finds it built
      } catch {
        if (!existsSync(addonPath)) throw new Error(`could not move the test-hooks addon into ${dir}`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const load = loadNativeAddon(addonPath);
  if (!load.ok) throw new Error(`test-hooks addon did not load: ${load.reason}`);
  return { addon: load.addon, path: addonPath };
}
