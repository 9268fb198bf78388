// Every source the registered collectors read, by name, for reader tests that ask for them all.

import { COLLECTORS } from '../../src/collectors/registry.js';
import type { AnySource } from '../../src/sources/source.js';

export const ALL_SOURCES: readonly AnySource[] = [
  ...new Set(COLLECTORS.flatMap((collector) => [...collector.sources({ deviceFilter: () => true, iptablesRules: true })])),
];

const byName = new Map(ALL_SOURCES.map((source) => [source.name, source]));

/** The source of that name; throws for a name no collector reads. */
export function sourceNamed(name: string): AnySource {
  const source = byName.get(name);
  if (source === undefined) throw new Error(`no source named ${name}`);
  return source;
}
