// What `inspect` and `top` start with, as the exporter starts: their command line, the --netns.dir
// check, the reader backend and the exporter's collection (src/exporter.ts createCollection), so that
// they read namespaces exactly as a scrape does. Problems are one line and an exit status.

import { opendirSync } from 'node:fs';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createCollection, type Collection } from '../exporter.js';
import { LabelsFileError } from '../labels/labels-file-source.js';
import type { ExporterConfig } from '../model/config.js';
import { createLogger } from '../logging.js';
import type { NamespaceReader } from '../readers/reader.js';
import { BackendUnavailableError, selectReader } from '../readers/select-reader.js';
import { FlagError, parseSubcommandFlags, type Subcommand, type SubcommandLine } from './flags.js';
import { nodeOptionsOf, type NodeOptions } from './node-options.js';

export class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * Why a --netns.dir cannot serve, or undefined. Checked once at start: a directory that cannot be
 * listed would otherwise only show up as a discovery error on every scrape while nothing is
 * reported. A missing one is fine, as /run/netns on a host where no namespace was named yet.
 */
export function netnsDirProblem(dir: string): string | undefined {
  try {
    opendirSync(dir).closeSync();
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return `--netns.dir ${dir} is not a directory`;
    if (code === 'EACCES' || code === 'EPERM') return `cannot read --netns.dir ${dir}: permission denied`;
    return `cannot read --netns.dir ${dir}: ${(error as Error).message}`;
  }
}

/** The reader and the collection for `config`; throws StartError. */
export async function openCollection(
  config: ExporterConfig,
  logger: Logger,
): Promise<{ readonly reader: NamespaceReader; readonly collection: Collection }> {
  for (const dir of config.netnsDirs) {
    const problem = netnsDirProblem(dir);
    if (problem) throw new StartError(problem, 1);
  }
  let reader: NamespaceReader;
  try {
    reader = selectReader(config.backend, config.timeoutMs, logger);
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw new StartError(error.message, 1);
    throw error;
  }
  try {
    return { reader, collection: await createCollection({ config, reader, logger, registry: new Registry() }) };
  } catch (error) {
    await reader.close();
    if (error instanceof LabelsFileError) throw new StartError(error.message, 2);
    throw error;
  }
}

/** A subcommand ready to run, or the exit status it ends with (its reason already printed). */
export type SubcommandStart =
  | { readonly kind: 'exit'; readonly exitCode: number }
  | {
      readonly kind: 'started';
      readonly line: SubcommandLine;
      readonly options: NodeOptions;
      readonly logger: Logger;
      readonly reader: NamespaceReader;
      readonly collection: Collection;
    };

/**
 * Parses a subcommand's command line and opens its collection; `--help` and `--version` print to
 * stdout and exit 0, a bad flag or start problem goes to `say` with its exit status.
 */
export async function startSubcommand(
  argv: readonly string[],
  version: string,
  subcommand: Subcommand,
  say: (message: string) => void,
): Promise<SubcommandStart> {
  let line: SubcommandLine;
  let options: NodeOptions;
  try {
    line = parseSubcommandFlags(argv, version, subcommand);
    options = await nodeOptionsOf(line.options);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    if (error.exitCode === 0) process.stdout.write(`${error.message}\n`);
    else say(error.message);
    return { kind: 'exit', exitCode: error.exitCode };
  }
  const logger = createLogger(line.config.logLevel);
  try {
    const { reader, collection } = await openCollection(line.config, logger);
    return { kind: 'started', line, options, logger, reader, collection };
  } catch (error) {
    if (!(error instanceof StartError)) throw error;
    say(error.message);
    return { kind: 'exit', exitCode: error.exitCode };
  }
}
