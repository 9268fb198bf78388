// A thresholds file (YAML) over the shipped alert configuration: what `rules --config` writes the
// rules from, and what `inspect` and `top --alerts.config` judge by, so that both hold one set of
// thresholds. Bad input is an AlertConfigFileError with a one-line reason naming the flag.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { alertConfig, type AlertConfig } from '../alerting/config.js';
import { AlertConfigError, applyOverrides } from '../alerting/config-overrides.js';

export class AlertConfigFileError extends Error {}

/** The shipped configuration with `path`'s overrides applied (none when `path` is undefined); `flag` names it in errors. */
export async function readAlertConfigFile(path: string | undefined, flag: string, base: AlertConfig = alertConfig): Promise<AlertConfig> {
  if (path === undefined) return base;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AlertConfigFileError(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new AlertConfigFileError(`${flag} ${path}: not valid YAML: ${(error as Error).message.split('\n')[0]?.replace(/:$/, '')}`);
  }
  try {
    return applyOverrides(base, document);
  } catch (error) {
    if (error instanceof AlertConfigError) throw new AlertConfigFileError(`${flag} ${path}: ${error.message}`);
    throw error;
  }
}
