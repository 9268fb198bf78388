// An AlertConfig with some fields replaced, from a thresholds file or flags: every key must be one
// the configuration has, with a value of its type, or the whole override is refused with a one-line
// reason naming the key. Pure: the caller reads and parses the file.
import type { AlertConfig } from './config.js';

export class AlertConfigError extends Error {}

// Prometheus' duration syntax (model.ParseDuration): units largest first, each at most once.
const DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;
const DURATION_KEYS = new Set([
  'for',
  'ratioFor',
  'idleFor',
  'window',
  'lookback',
  'rateWindow',
  'openstackBridge',
  'exporterDownLookback',
  'decideAfter',
]);
const SHARE_KEYS = new Set(['ratio', 'warningRatio', 'criticalRatio', 'ratioOfTimeout', 'minShare']);
const WHOLE_KEYS = new Set(['minRouters', 'minimum', 'changes', 'entries']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;

function checkLeaf(path: string, key: string, base: unknown, value: unknown): unknown {
  if (typeof base === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new AlertConfigError(`${path}: expected a number, got ${typeName(value)}`);
    if (SHARE_KEYS.has(key) && (value < 0 || value > 1))
      throw new AlertConfigError(`${path}: expected a share between 0 and 1, got ${value}`);
    if (WHOLE_KEYS.has(key) && (!Number.isInteger(value) || value < 1))
      throw new AlertConfigError(`${path}: expected a whole number of at least 1, got ${value}`);
    if (value < 0) throw new AlertConfigError(`${path}: expected a number of at least 0, got ${value}`);
    return value;
  }
  if (typeof value !== 'string') throw new AlertConfigError(`${path}: expected a string, got ${typeName(value)}`);
  if (DURATION_KEYS.has(key) && (value === '' || !DURATION.test(value)))
    throw new AlertConfigError(`${path}: "${value}" is not a Prometheus duration (e.g. 5m, 1h30m)`);
  if (key === 'severity' && value !== 'warning' && value !== 'critical')
    throw new AlertConfigError(`${path}: expected warning or critical, got "${value}"`);
  if (key === 'clusterLabel' && !LABEL_NAME.test(value)) throw new AlertConfigError(`${path}: "${value}" is not a label name`);
  if ((key === 'selector' || key === 'namespaceSelector') && value.trim() === '') throw new AlertConfigError(`${path}: must not be empty`);
  return value;
}

function merge(path: string, base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const where = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(base, key)) throw new AlertConfigError(`${where}: unknown key (known here: ${Object.keys(base).join(', ')})`);
    const current = base[key];
    if (isPlainObject(current)) {
      if (!isPlainObject(value)) throw new AlertConfigError(`${where}: expected a mapping, got ${typeName(value)}`);
      merged[key] = merge(where, current, value);
    } else {
      merged[key] = checkLeaf(where, key, current, value);
    }
  }
  return merged;
}

/** `base` with `overrides` (a parsed YAML/JSON document; null or undefined: none) applied. Throws AlertConfigError. */
export function applyOverrides(base: AlertConfig, overrides: unknown): AlertConfig {
  if (overrides === null || overrides === undefined) return base;
  if (!isPlainObject(overrides)) throw new AlertConfigError(`expected a mapping of configuration keys, got ${typeName(overrides)}`);
  return merge('', base as unknown as Record<string, unknown>, overrides) as unknown as AlertConfig;
}
