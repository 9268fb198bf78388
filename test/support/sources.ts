// Every source read inside namespaces by the registered collectors, by name, for reader tests that ask
// for them all.

import { COLLECTORS } from '../../src/collectors/registry.js';
import { isHostSource, type AnyNamespaceSource } from '../../src/sources/source.js';
import { configured } from './collector-runs.js';

export const ALL_SOURCES: readonly AnyNamespaceSource[] = [
  ...new Set(COLLECTORS.flatMap((collector) => [...configured(collector).sources])),
].filter((source): source is AnyNamespaceSource => !isHostSource(source));

const byName = new Map(ALL_SOURCES.map((source) => [source.name, source]));

/** The source of that name; throws for a name no collector reads. */
export function sourceNamed(name: string): AnyNamespaceSource {
  const source = byName.get(name);
  if (source === undefined) throw new Error(`no source named ${name}`);
  return source;
}
