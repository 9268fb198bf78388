// Command-line flags in Prometheus style (--web.listen-address, --collector.<name>), parsed and
// validated into an ExporterConfig. The exporter's own flags are here; --[no-]collector.<name> and
// each collector's own flags come from the collectors' declarations (src/collectors/registry.ts),
// help text and defaults included. A bad flag never reaches a scrape: it is a FlagError with a
// one-line reason, and main exits with status 2.

import { Command, CommanderError, Option } from 'commander';
import type { CollectorDeclaration } from '../collectors/collector.js';
import { compileRegex, flagValue, FlagValueError, type CollectorFlag } from '../collectors/flag.js';
import { collectorFlags, COLLECTORS } from '../collectors/registry.js';
import { BACKENDS, DEFAULT_PORT, LOG_LEVELS, type Backend, type ExporterConfig, type LogLevel } from '../model/config.js';
import { parseDurationMs } from '../model/durations.js';
import { parseListenAddress } from '../model/listen-address.js';

/** A flag problem: one line for the user, and the exit status (2 for usage, 0 for --help/--version). */
export class FlagError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The command-line options of a collector's own flag: one for a value, two (--x, --no-x) for a switch. */
function optionsOf(flag: CollectorFlag): Option[] {
  if (flag.kind === 'switch') {
    const onByDefault = flag.default ? ' (default)' : '';
    const offByDefault = flag.default ? '' : ' (default)';
    return [
      new Option(`--${flag.name}`, `${flag.help}${onByDefault}`),
      new Option(`--no-${flag.name}`, `${flag.negatedHelp}${offByDefault}`),
    ];
  }
  const option = new Option(`--${flag.name} ${flag.placeholder}`, flag.help);
  return [flag.default === undefined ? option : option.default(flag.default)];
}

/** Where commander keeps a flag's value (it camel-cases words with dashes: neutron.haConfsDir). */
const attributeOf = (flag: CollectorFlag): string => new Option(`--${flag.name}`).attributeName();

/**
 * A subcommand of the same binary (`netns-exporter inspect <router>`, `netns-exporter top`): every
 * exporter flag, which says what is read and how, plus its own options and at most one argument.
 */
export interface Subcommand {
  readonly name: string;
  readonly description: string;
  readonly argument?: { readonly name: string; readonly description: string };
  readonly options: readonly Option[];
  /** What --once means for it (the exporter: one scrape to stdout). */
  readonly onceHelp?: string;
}

/** A subcommand's command line: the exporter configuration, its own options (by commander attribute name) and its argument. */
export interface SubcommandLine {
  readonly config: ExporterConfig;
  readonly options: Readonly<Record<string, unknown>>;
  readonly argument: string | undefined;
}

function buildCommand(version: string, collectors: readonly CollectorDeclaration[], subcommand?: Subcommand): Command {
  const command = new Command(subcommand ? `netns-exporter ${subcommand.name}` : 'netns-exporter')
    .description(
      subcommand?.description ??
        'Prometheus exporter for the interfaces, iptables and conntrack of every network namespace on the host. ' +
          'Subcommands (each with its own --help): inspect <router>, top, rules.',
    )
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .allowExcessArguments(false)
    .option('--web.listen-address <address>', 'address to listen on for HTTP ([host]:port)', `:${DEFAULT_PORT}`)
    .option('--web.telemetry-path <path>', 'path under which to expose metrics', '/metrics')
    .option('--web.max-requests <n>', 'maximum number of parallel scrape requests; 0 disables the limit', '40')
    .option('--web.config.file <path>', 'exporter-toolkit web config (YAML): TLS, client certificates, basic auth, security headers')
    .addOption(new Option('--log.level <level>', 'only log messages with the given severity or above').choices(LOG_LEVELS).default('info'))
    .option(
      '--netns.dir <dir>',
      'directory of named namespaces; repeat for several (replaces the default)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--netns.scan-processes', 'also report unnamed namespaces held only by processes (/proc/<pid>/ns/net) (default)')
    .option('--no-netns.scan-processes', 'do not scan processes for unnamed namespaces')
    .option('--netns.include-host', 'also report the exporter\'s own (host) namespace as netns="host"', false)
    .option(
      '--netns.labels-file <path>',
      'YAML/JSON map of namespace name or router id to extra netns_info labels (re-read when it changes)',
    )
    .option('--netns.include <regex>', 'only report namespaces whose name matches')
    .option('--netns.exclude <regex>', 'do not report namespaces whose name matches');
  for (const [index, collector] of collectors.entries()) {
    // a bug, not a user's mistake: two collectors would share one switch and one `collector` label value
    if (collectors.findIndex((other) => other.name === collector.name) !== index)
      throw new Error(`collector ${collector.name} is registered twice`);
    command
      .option(
        `--collector.${collector.name}`,
        `enable the ${collector.name} collector: ${collector.description}${collector.defaultEnabled ? ' (default)' : ''}`,
      )
      .option(`--no-collector.${collector.name}`, `disable the ${collector.name} collector`);
  }
  for (const flag of collectorFlags(collectors)) for (const option of optionsOf(flag)) command.addOption(option);
  if (subcommand?.argument) command.argument(`<${subcommand.argument.name}>`, subcommand.argument.description);
  for (const option of subcommand?.options ?? []) command.addOption(option);
  return command
    .option('--collector.timeout <duration>', 'time allowed to read one namespace (e.g. 5s, 500ms)', '10s')
    .option(
      '--collector.parallelism <n>',
      'namespaces read at the same time (default: exec 2 x CPUs, at least 4 processes; native 64 reads queued for its one thread per CPU)',
    )
    .option('--collector.max-series <n>', 'most namespace series one scrape may carry; 0 disables the limit', '0')
    .addOption(
      new Option('--collector.backend <backend>', 'how namespaces are entered: native addon, exec (nsenter), or auto')
        .choices(BACKENDS)
        .default('auto'),
    )
    .option('--once', subcommand?.onceHelp ?? 'print one scrape to stdout and exit', false);
}

function regexOption(flag: string, source: unknown): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- commander gives this option as a string
    return compileRegex(flag, String(source));
  } catch (error) {
    if (error instanceof FlagValueError) throw new FlagError(error.message, 2);
    throw error;
  }
}

/** What the command line said for each collector flag, each checked by its declaration. */
function collectorFlagValues(flags: readonly CollectorFlag[], command: Command): Map<string, string | boolean> {
  const values = new Map<string, string | boolean>();
  for (const flag of flags) {
    const attribute = attributeOf(flag);
    const given: unknown = command.getOptionValue(attribute);
    // commander fills in a declared default; left out, so that the declaration's default applies
    const fromCommandLine = command.getOptionValueSource(attribute) !== 'default';
    if (fromCommandLine && (typeof given === 'string' || typeof given === 'boolean')) values.set(flag.name, given);
    try {
      flagValue(flag, values);
    } catch (error) {
      if (error instanceof FlagValueError) throw new FlagError(error.message, 2);
      throw error;
    }
  }
  return values;
}

function integerFlag(flag: string, text: unknown, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(String(text)) || !Number.isSafeInteger(value) || value < min) {
    throw new FlagError(`--${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`, 2);
  }
  return value;
}

/** `collectors`: the registry; a test passes a collector of its own beside it. */
export function parseFlags(
  argv: readonly string[],
  version: string,
  collectors: readonly CollectorDeclaration[] = COLLECTORS,
): ExporterConfig {
  return parseCommandLine(argv, version, collectors).config;
}

/** The command line of a subcommand (the arguments after its name): the same flags, checked the same way, and its own. */
export function parseSubcommandFlags(
  argv: readonly string[],
  version: string,
  subcommand: Subcommand,
  collectors: readonly CollectorDeclaration[] = COLLECTORS,
): SubcommandLine {
  return parseCommandLine(argv, version, collectors, subcommand);
}

function parseCommandLine(
  argv: readonly string[],
  version: string,
  collectors: readonly CollectorDeclaration[],
  subcommand?: Subcommand,
): SubcommandLine {
  const command = buildCommand(version, collectors, subcommand);
  let helpText = '';
  command.configureOutput({ outputError: () => undefined, writeOut: (text) => (helpText += text) });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) throw new FlagError(helpText.trimEnd(), 0);
      // Commander may add a suggestion on a second line ("(Did you mean --once?)"): keep it, on one line.
      throw new FlagError(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), 2);
    }
    throw error;
  }
  const opts = command.opts<Record<string, unknown>>();

  const listenText = String(opts['web.listenAddress']);
  const listenAddress = parseListenAddress(listenText);
  if (!listenAddress) throw new FlagError(`--web.listen-address must be [host]:port, got ${JSON.stringify(listenText)}`, 2);
  const telemetryPath = String(opts['web.telemetryPath']);
  // Plain path characters only: express would read ':' or '*' as route parameters.
  if (!/^\/[A-Za-z0-9._~/-]+$/.test(telemetryPath) || telemetryPath === '/healthz') {
    throw new FlagError(
      `--web.telemetry-path must be a plain path such as /metrics (not / or /healthz), got ${JSON.stringify(telemetryPath)}`,
      2,
    );
  }
  const timeoutMs = parseDurationMs(String(opts['collector.timeout']));
  if (timeoutMs === undefined) {
    throw new FlagError(`--collector.timeout must be a duration such as 10s or 500ms, got ${JSON.stringify(opts['collector.timeout'])}`, 2);
  }

  const enabled = collectors
    .filter((collector) => {
      const flag = opts[`collector.${collector.name}`];
      return flag === undefined ? collector.defaultEnabled : Boolean(flag);
    })
    .map((collector) => collector.name);

  const config: ExporterConfig = {
    listenAddress,
    telemetryPath,
    maxRequests: integerFlag('web.max-requests', opts['web.maxRequests'], 0),
    webConfigFile: opts['web.config.file'] as string | undefined,
    // a subcommand's output is for a person: its log says only what went wrong, unless asked
    logLevel: subcommand && command.getOptionValueSource('log.level') === 'default' ? 'warn' : (opts['log.level'] as LogLevel),
    netnsDirs: (opts['netns.dir'] as string[] | undefined) ?? ['/run/netns'],
    scanProcesses: opts['netns.scanProcesses'] !== false,
    includeHost: opts['netns.includeHost'] === true,
    labelsFile: opts['netns.labelsFile'] as string | undefined,
    netnsInclude: regexOption('netns.include', opts['netns.include']),
    netnsExclude: regexOption('netns.exclude', opts['netns.exclude']),
    collectors: enabled,
    collectorFlags: collectorFlagValues(collectorFlags(collectors), command),
    timeoutMs,
    parallelism:
      opts['collector.parallelism'] === undefined ? undefined : integerFlag('collector.parallelism', opts['collector.parallelism'], 1),
    maxSeries: integerFlag('collector.max-series', opts['collector.maxSeries'], 0),
    backend: opts['collector.backend'] as Backend,
    once: opts.once === true,
  };
  return { config, options: opts, argument: command.args[0] };
}
