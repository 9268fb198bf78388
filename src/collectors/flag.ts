// How a collector declares a flag of its own, beside the code that uses it (as node_exporter's
// kingpin flags sit in each collector file): its name, help text, default and how its text becomes a
// typed value. src/cli/flags.ts turns the declarations into command-line options and checks every
// value at start (a FlagValueError is one line and exit status 2); the collector reads the values
// into its own options (collector.ts).

import type { FlagValues } from '../model/config.js';

/** A value the declaration rejects: one line for the user, naming the flag. */
export class FlagValueError extends Error {}

/** An on/off flag: --<name> and --no-<name>. */
export interface SwitchFlag {
  readonly kind: 'switch';
  /** Without the dashes: `collector.iptables.rules`. */
  readonly name: string;
  readonly help: string;
  /** Help of --no-<name>. */
  readonly negatedHelp: string;
  readonly default: boolean;
}

/** A flag that takes a value: --<name>=<value>. */
export interface ValueFlag<T> {
  readonly kind: 'value';
  readonly name: string;
  /** Names the value in --help: `--device.include <regex>`. */
  readonly placeholder: string;
  readonly help: string;
  /** The default as it would be typed; undefined: the flag has none. */
  readonly default: string | undefined;
  /**
   * The default as the README's flags table states it, where the text itself is too long for a
   * table cell (netstat's field set); otherwise the table shows `default`.
   */
  readonly documentedDefault?: string;
  /** The value of the text given (or of the default; undefined when neither). Throws FlagValueError. */
  parse(text: string | undefined): T;
}

export type CollectorFlag = SwitchFlag | ValueFlag<unknown>;

const FLAG_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

function checkName(name: string): void {
  // a bad declaration is a bug, so it throws at start-up (as defineSource does)
  if (!FLAG_NAME.test(name)) throw new Error(`flag name ${JSON.stringify(name)}: dotted words of lower case, digits and '-'`);
}

export function switchFlag(flag: Omit<SwitchFlag, 'kind'>): SwitchFlag {
  checkName(flag.name);
  return Object.freeze({ kind: 'switch', ...flag });
}

export function valueFlag<T>(flag: Omit<ValueFlag<T>, 'kind'>): ValueFlag<T> {
  checkName(flag.name);
  return Object.freeze({ kind: 'value', ...flag });
}

/** A regular expression in JavaScript syntax, unanchored as node_exporter's include/exclude flags are; no default. */
export function regexFlag(name: string, help: string): ValueFlag<RegExp | undefined> {
  return valueFlag({
    name,
    placeholder: '<regex>',
    help,
    default: undefined,
    parse: (text) => (text === undefined ? undefined : compileRegex(name, text)),
  });
}

/** `text` as a regular expression, or a FlagValueError naming --<name>. */
export function compileRegex(name: string, text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new FlagValueError(`invalid regular expression for --${name}: ${(error as Error).message}`);
  }
}

/** The flag's value from what the command line said (its default when it said nothing). Throws FlagValueError. */
export function flagValue(flag: SwitchFlag, values: FlagValues): boolean;
export function flagValue<T>(flag: ValueFlag<T>, values: FlagValues): T;
export function flagValue(flag: CollectorFlag, values: FlagValues): unknown;
export function flagValue(flag: CollectorFlag, values: FlagValues): unknown {
  const given = values.get(flag.name);
  if (flag.kind === 'switch') return typeof given === 'boolean' ? given : flag.default;
  return flag.parse(typeof given === 'string' ? given : flag.default);
}
