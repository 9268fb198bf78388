// The options `inspect` and `top` share beyond the exporter's flags: the interval rates are taken
// over, the output format, the thresholds file, and whether to colour.

import { Option } from 'commander';
import type { AlertConfig } from '../alerting/config.js';
import { parseDurationMs } from '../model/durations.js';
import { ANSI, PLAIN, type Style } from '../on-node/units.js';
import { FlagError } from './flags.js';
import { readAlertConfigFile } from './alert-config-file.js';

export const DEFAULT_INTERVAL = '2s';

export const nodeOptions = (): Option[] => [
  new Option('--interval <duration>', 'time between the two reads rates are taken over (e.g. 2s, 500ms)').default(DEFAULT_INTERVAL),
  new Option('--output <format>', 'text for a person, json for a script (a stable shape, see docs/on-the-node.md)')
    .choices(['text', 'json'])
    .default('text'),
  new Option(
    '--alerts.config <file>',
    'YAML file overriding the alert thresholds, as `netns-exporter rules --config` takes (the verdicts use the same thresholds as the rules)',
  ),
];

export interface NodeOptions {
  readonly intervalMs: number;
  readonly output: 'text' | 'json';
  readonly alertConfig: AlertConfig;
}

/** Throws FlagError (exit 2) for a bad interval or thresholds file. */
export async function nodeOptionsOf(options: Readonly<Record<string, unknown>>): Promise<NodeOptions> {
  const interval = String(options.interval);
  const intervalMs = parseDurationMs(interval);
  if (intervalMs === undefined)
    throw new FlagError(`--interval must be a duration such as 2s or 500ms, got ${JSON.stringify(interval)}`, 2);
  let alertConfig: AlertConfig;
  try {
    alertConfig = await readAlertConfigFile(options['alerts.config'] as string | undefined, '--alerts.config');
  } catch (error) {
    throw new FlagError((error as Error).message, 2);
  }
  return { intervalMs, output: options.output === 'json' ? 'json' : 'text', alertConfig };
}

/** Colour only on a terminal, and never under NO_COLOR (https://no-color.org: set and not empty). */
export function styleFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return stream.isTTY && !noColor ? ANSI : PLAIN;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
