// Version and revision of this build, for --version and netns_exporter_build_info. The version
// comes from package.json; the revision from NETNS_EXPORTER_REVISION or a build-info.json that
// packaging writes next to the compiled code, else "unknown".

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodejsVersion: string;
}

function readJson(relativeUrl: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(fileURLToPath(new URL(relativeUrl, import.meta.url)), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function readBuildInfo(): BuildInfo {
  // src/build-info.ts and dist/build-info.js both sit one level below the package root.
  const pkg = readJson('../package.json');
  const stamped = readJson('./build-info.json');
  const revision = process.env.NETNS_EXPORTER_REVISION ?? (typeof stamped?.revision === 'string' ? stamped.revision : 'unknown');
  return {
    version: typeof pkg?.version === 'string' ? pkg.version : 'unknown',
    revision,
    nodejsVersion: process.version,
  };
}
