// The Prometheus text exposition format (version 0.0.4), written directly: escaping rules and one
// family's block. Writing the snapshot directly is what keeps 250,000 series cheap; prom-client's
// metric objects cost seconds at that size (see docs/performance.md).

import type { MetricFamily } from '../model/snapshot.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LABEL_VALUE_SPECIALS = /[\\"\n]/;

/** Label values escape backslash, double quote and line feed; everything else (UTF-8 included) is literal. */
export function escapeLabelValue(value: string): string {
  if (!LABEL_VALUE_SPECIALS.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes only backslash and line feed. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * `{a="x",b="y"}` for label names and their values (values follow names one for one), then any
 * extra labels; '' when there are none.
 */
export function labelBlock(
  names: readonly string[],
  labelValues: readonly string[],
  extraLabels?: readonly (readonly [string, string])[],
): string {
  const extra = extraLabels?.length ?? 0;
  if (names.length === 0 && extra === 0) return '';
  let block = '{';
  for (let i = 0; i < names.length; i++) {
    block += `${i > 0 ? ',' : ''}${names[i]}="${escapeLabelValue(labelValues[i] ?? '')}"`;
  }
  for (let i = 0; i < extra; i++) {
    const [name, labelValue] = extraLabels?.[i] as readonly [string, string];
    block += `${names.length + i > 0 ? ',' : ''}${name}="${escapeLabelValue(labelValue)}"`;
  }
  return `${block}}`;
}

/** `name{a="x",b="y"} value` for one series; `labelValues` follow `family.labelNames`. */
export function seriesLine(
  family: MetricFamily,
  labelValues: readonly string[],
  value: number,
  extraLabels?: readonly (readonly [string, string])[],
): string {
  return `${family.name}${labelBlock(family.labelNames, labelValues, extraLabels)} ${formatValue(value)}\n`;
}

export function familyHeader(family: MetricFamily): string {
  return `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
}
