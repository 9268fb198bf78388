// A NamespaceReader that serves bytes captured from real namespaces (test/fixtures/pipeline), our
// counterpart of node_exporter's --path.procfs: it drives the whole pipeline without root.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiscoveryResult } from '../../src/discovery/discover-namespaces.js';
import type { AnySource } from '../../src/sources/source.js';
import type { NetnsRef } from '../../src/model/netns-ref.js';
import type { NamespaceReader, Reading } from '../../src/readers/reader.js';

export const PIPELINE_FIXTURES = new URL('../fixtures/pipeline/', import.meta.url).pathname;

interface ManifestEntry {
  readonly name: string;
  readonly kind: NetnsRef['kind'];
  readonly id: string;
  readonly dir: string;
  /** What discovery lists in it (NetnsRef.processes); none when absent. */
  readonly processes?: NetnsRef['processes'];
  readonly holder?: NetnsRef['holder'];
}

function manifest(): ManifestEntry[] {
  return (JSON.parse(readFileSync(join(PIPELINE_FIXTURES, 'manifest.json'), 'utf8')) as { namespaces: ManifestEntry[] }).namespaces;
}

/** Discovery over the manifest: the same NetnsRefs every run, in manifest order. */
export function fixtureDiscovery(): () => Promise<DiscoveryResult> {
  const namespaces: NetnsRef[] = manifest().map((entry, index) => ({
    name: entry.name,
    path: `/fixtures/${entry.dir}`,
    dev: 4,
    inode: 4026532000 + index,
    kind: entry.kind,
    id: entry.id,
    source: 'named',
    processes: entry.processes ?? [],
    ...(entry.holder === undefined ? {} : { holder: entry.holder }),
  }));
  return async () => ({ namespaces, errors: [] });
}

/**
 * `alsoFrom`: more fixture roots laid out as PIPELINE_FIXTURES is (`<dir>/<source name>`), for a
 * collector a test brings (test/collectors/sample-xfrm); the first root that has a file serves it.
 */
export function createFixtureReader(alsoFrom: readonly string[] = []): NamespaceReader {
  const roots = [PIPELINE_FIXTURES, ...alsoFrom];
  const dirByName = new Map(manifest().map((entry) => [entry.name, entry.dir]));
  return {
    name: 'fixtures',
    defaultParallelism: 4,
    async read(ns, sources) {
      const dir = dirByName.get(ns.name);
      const readings = new Map<AnySource, Reading>();
      for (const [key, source] of sources.entries()) {
        if (dir === undefined) {
          readings.set(source, { ok: false, error: { kind: 'vanished', detail: `no fixture for ${ns.name}` } });
          continue;
        }
        const data = await firstFile(roots.map((root) => join(root, dir, source.name)));
        // captured as the exec backend reads them: each source its own read
        readings.set(
          source,
          data === undefined
            ? { ok: false, error: { kind: 'not-present', detail: `${source.name}: no fixture file` } }
            : { ok: true, data, declaration: source.exec, key },
        );
      }
      return readings;
    },
    async close() {
      // fixtures hold no namespace, process or pool
    },
  };
}

async function firstFile(paths: readonly string[]): Promise<Buffer | undefined> {
  for (const path of paths) {
    try {
      return await readFile(path);
    } catch {
      // not in this root: try the next
    }
  }
  return undefined;
}
