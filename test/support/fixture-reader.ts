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
  }));
  return async () => ({ namespaces, errors: [] });
}

export function createFixtureReader(): NamespaceReader {
  const dirByName = new Map(manifest().map((entry) => [entry.name, entry.dir]));
  return {
    name: 'fixtures',
    defaultParallelism: 4,
    async read(ns, sources) {
      const dir = dirByName.get(ns.name);
      const readings = new Map<AnySource, Reading>();
      for (const source of sources) {
        if (dir === undefined) {
          readings.set(source, { ok: false, error: { kind: 'vanished', detail: `no fixture for ${ns.name}` } });
          continue;
        }
        try {
          const data = await readFile(join(PIPELINE_FIXTURES, dir, source.name));
          readings.set(source, { ok: true, backend: 'exec', data });
        } catch {
          readings.set(source, { ok: false, error: { kind: 'not-present', detail: `${source.name}: no fixture file` } });
        }
      }
      return readings;
    },
    async close() {
      // fixtures hold no namespace, process or pool
    },
  };
}
