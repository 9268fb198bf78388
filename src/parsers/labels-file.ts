// --netns.labels-file: a YAML (or JSON, which is YAML) map from a namespace name or a Neutron id to
// extra labels for netns_info, e.g.
//   qrouter-5d2c8b7e-...: { project: demo, router_name: edge }
//   5d2c8b7e-...:         { project: demo, router_name: edge }   # matches qrouter-, snat- and fip- of that id
// Pure: text in, a validated mapping out.

import { parse as parseYaml } from 'yaml';
import type { ExtraLabels, LabelsMapping } from '../model/records/labels.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels netns_info already has; a file may not override them. */
const RESERVED = new Set(['netns', 'kind', 'id']);

export function parseLabelsFile(text: string): ParseResult<LabelsMapping> {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return parseFailure(`not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (document === null || document === undefined) return parsed(new Map());
  if (typeof document !== 'object' || Array.isArray(document)) {
    return parseFailure('the top level must be a map from namespace name or id to a map of labels');
  }
  const mapping = new Map<string, ExtraLabels>();
  for (const [key, labels] of Object.entries(document as Record<string, unknown>)) {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
      return parseFailure(`${JSON.stringify(key)}: labels must be a map of label name to value`);
    }
    const pairs: [string, string][] = [];
    for (const [name, value] of Object.entries(labels as Record<string, unknown>)) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) {
        return parseFailure(`${JSON.stringify(key)}: ${JSON.stringify(name)} is not a valid Prometheus label name`);
      }
      if (RESERVED.has(name)) return parseFailure(`${JSON.stringify(key)}: label ${name} is reserved by netns_info`);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return parseFailure(`${JSON.stringify(key)}: label ${name} must be a string, number or boolean`);
      }
      pairs.push([name, String(value)]);
    }
    mapping.set(key, pairs);
  }
  return parsed(mapping);
}

/** Labels for a namespace: those keyed by its id, overridden by those keyed by its exact name. */
export function labelsFor(mapping: LabelsMapping, name: string, id: string): ExtraLabels {
  const byId = id === '' ? undefined : mapping.get(id);
  const byName = mapping.get(name);
  if (!byId) return byName ?? [];
  if (!byName) return byId;
  const merged = new Map(byId);
  for (const [label, value] of byName) merged.set(label, value);
  return [...merged];
}
