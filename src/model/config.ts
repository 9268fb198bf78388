// The exporter's validated configuration: everything start-up needs, with regexes compiled and
// durations in milliseconds. Built once from flags; nothing downstream re-validates.

import type { ListenAddress } from './listen-address.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_PORT = 9724;
export const BACKENDS = ['auto', 'native', 'exec'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * What the command line said for the collectors' own flags (src/collectors/flag.ts), by flag name
 * without dashes: the text of a value flag, true or false for a switch. A flag not given is absent
 * (its declared default applies). Checked at start by the flags' declarations.
 */
export type FlagValues = ReadonlyMap<string, string | boolean>;

export interface ExporterConfig {
  readonly listenAddress: ListenAddress;
  readonly telemetryPath: string;
  readonly maxRequests: number;
  /** --web.config.file (TLS, basic auth, headers); undefined serves plain HTTP to anyone. */
  readonly webConfigFile: string | undefined;
  readonly logLevel: LogLevel;
  readonly netnsDirs: readonly string[];
  readonly scanProcesses: boolean;
  readonly includeHost: boolean;
  /** YAML/JSON map of namespace name or id to extra netns_info labels; undefined when not set. */
  readonly labelsFile: string | undefined;
  readonly netnsInclude: RegExp | undefined;
  readonly netnsExclude: RegExp | undefined;
  /** Names of the enabled collectors, in registry order. */
  readonly collectors: readonly string[];
  /** The collectors' own flags (--device.include, --collector.netstat.fields, ...), as given. */
  readonly collectorFlags: FlagValues;
  readonly timeoutMs: number;
  /** Namespaces read at once; undefined: the backend's own default (exec 2 x CPUs, min 4; native 64). */
  readonly parallelism: number | undefined;
  readonly maxSeries: number;
  readonly backend: Backend;
  readonly once: boolean;
}

/** include/exclude as one predicate: kept when it matches include (if any) and not exclude (if any). */
export function nameFilter(include: RegExp | undefined, exclude: RegExp | undefined): (name: string) => boolean {
  return (name) => (include === undefined || include.test(name)) && !exclude?.test(name);
}
