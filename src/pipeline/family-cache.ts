// Metric families by name, one object each for the exporter's life: exposition groups series by
// family object, so a family a collector makes as it reads (netstat's Proto_Field names) must be the
// same object in every namespace and every scrape. Owned by the exporter (CollectionState).

import { family, type MetricFamily } from '../model/snapshot.js';

export class FamilyCache {
  private readonly byName = new Map<string, MetricFamily>();

  /** `declared`: the families collectors declare; asking for one of those names returns that object. */
  constructor(declared: readonly MetricFamily[]) {
    for (const known of declared) this.byName.set(known.name, known);
  }

  readonly family = (name: string, type: MetricFamily['type'], help: string, labelNames: readonly string[]): MetricFamily => {
    let known = this.byName.get(name);
    if (known === undefined) {
      known = family(name, type, help, labelNames);
      this.byName.set(name, known);
    }
    return known;
  };
}
