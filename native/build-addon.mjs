// Builds the native reader during `npm ci`/`npm install`. A machine without a compiler (or without
// Node's headers) must still install: then this prints one warning and exits 0, and the exporter runs
// on the exec backend. Headers come from the running Node's own prefix when they are there, so
// node-gyp never tries to download them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = dirname(fileURLToPath(import.meta.url));

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp, // set by npm for lifecycle scripts
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => candidate && existsSync(candidate));
}

function findNodeDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function warn(reason) {
  console.warn(`netns-exporter: native reader not built (${reason}); the exec backend will be used.`);
}

const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) {
  warn('node-gyp not found');
} else {
  const args = [nodeGyp, 'rebuild', '--directory', nativeDir];
  const nodeDir = process.env.npm_config_nodedir || findNodeDir();
  if (nodeDir !== undefined) args.push(`--nodedir=${nodeDir}`);
  const build = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (build.status !== 0) {
    // the first error line says why (no Python, no make, no compiler); the rest is node-gyp's boilerplate
    const boilerplate = /gyp ERR! (node -v|node-gyp -v|not ok|cwd|command|System|stack\s+at)/;
    const reason = `${build.stdout ?? ''}\n${build.stderr ?? ''}`
      .split('\n')
      .filter((line) => /error/i.test(line) && !boilerplate.test(line))
      .slice(0, 2)
      .join(' | ');
    warn(build.error ? build.error.message : `node-gyp exited ${build.status}: ${reason || 'see npm log'}`);
  }
}
