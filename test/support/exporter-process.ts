// The real exporter binary as a server on a free loopback port, for end-to-end tests.
import { execa, type ResultPromise } from 'execa';
import { builtMain } from './built.js';

export interface ExporterProcess {
  readonly port: number;
  readonly address: string;
  readonly child: ResultPromise;
  /** Everything it logged so far. */
  logs(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | undefined>;
}

export interface StartOptions {
  /**
   * A command that execs the exporter in place, e.g. `['setpriv', '--reuid=65534', ..., '--']`
   * (least-privilege tests). It must exec, not fork, so the pid stays the exporter's for stop().
   */
  readonly wrapper?: readonly string[];
  /** The entry point to run instead of the build (a copy another user can read). */
  readonly main?: string;
}

export async function startExporter(
  args: readonly string[],
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<ExporterProcess> {
  const [command, ...commandArgs] = [
    ...(options.wrapper ?? []),
    'node',
    options.main ?? builtMain,
    '--web.listen-address=127.0.0.1:0',
    ...args,
  ] as [string, ...string[]];
  const child = execa(command, commandArgs, { reject: false, env, all: true });
  let seen = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.all?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /"address":"127\.0\.0\.1:(\d+)"/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    void child.then(() => reject(new Error(`exporter exited before listening: ${seen}`)));
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    child,
    logs: () => seen,
    async stop() {
      child.kill('SIGTERM');
      return (await child).exitCode;
    },
  };
}
