#!/usr/bin/env node
// Entry point: flags -> config -> exporter -> HTTP server (or one scrape to stdout with --once);
// `netns-exporter rules ...` writes the alert rules instead (rules-command.ts), `inspect <router>`
// and `top` show namespaces to a person on the node (inspect-command.ts, top-command.ts).
// Start-up problems are one line on stderr and a non-zero exit, never a stack trace.

import type { ServerOptions } from 'node:http';
import { readBuildInfo } from '../build-info.js';
import { createExporter } from '../exporter.js';
import { LabelsFileError } from '../labels/labels-file-source.js';
import { createLogger } from '../logging.js';
import { BackendUnavailableError, selectReader } from '../readers/select-reader.js';
import { createApp } from '../server/app.js';
import { createWebServer } from '../server/listen.js';
import { loadWebConfig, WebConfigError } from '../server/web-config.js';
import { FlagError, parseFlags } from './flags.js';
import { runInspectCommand } from './inspect-command.js';
import { netnsDirProblem } from './open-collection.js';
import { runRulesCommand } from './rules-command.js';
import { runTopCommand } from './top-command.js';

const SHUTDOWN_GRACE_MS = 10_000;

// Bounds for what one client may cost the server. A scrape request is a line and a few headers, sent
// at once; anything bigger or slower is not Prometheus. Node's defaults (16 KiB of headers, 60 s
// for headers checked every 30 s) let one silent client hold a connection for up to 90 s.
const HTTP_LIMITS: ServerOptions = {
  maxHeaderSize: 16 * 1024, // request line and headers together; beyond: 431
  headersTimeout: 10_000, // from the first byte to the end of the headers; beyond: 408 and close
  requestTimeout: 30_000, // the whole request (a GET has no body, so about the same)
  connectionsCheckingInterval: 2_000, // how often the two timeouts above are enforced
};

function fail(message: string, exitCode: number): never {
  process.stderr.write(`netns-exporter: ${message}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'rules') {
    const exitCode = await runRulesCommand(argv.slice(1));
    process.stdout.write('', () => process.exit(exitCode));
    return;
  }
  if (argv[0] === 'inspect' || argv[0] === 'top') {
    const run = argv[0] === 'inspect' ? runInspectCommand : runTopCommand;
    const exitCode = await run(argv.slice(1), readBuildInfo().version);
    process.stdout.write('', () => process.exit(exitCode));
    return;
  }
  const build = readBuildInfo();
  let config;
  try {
    config = parseFlags(process.argv.slice(2), build.version);
  } catch (error) {
    if (error instanceof FlagError) {
      if (error.exitCode === 0) {
        process.stdout.write(`${error.message}\n`);
        process.exit(0);
      }
      fail(error.message, error.exitCode);
    }
    throw error;
  }
  for (const dir of config.netnsDirs) {
    const problem = netnsDirProblem(dir);
    if (problem) fail(problem, 1);
  }

  let webConfig;
  try {
    webConfig = await loadWebConfig(config.webConfigFile);
  } catch (error) {
    if (error instanceof WebConfigError) fail(error.message, 2);
    throw error;
  }

  const logger = createLogger(config.logLevel);
  let reader;
  try {
    reader = selectReader(config.backend, config.timeoutMs, logger);
  } catch (error) {
    if (error instanceof BackendUnavailableError) fail(error.message, 1);
    throw error;
  }
  let exporter;
  try {
    exporter = await createExporter({ config, reader, logger, build });
  } catch (error) {
    if (error instanceof LabelsFileError) fail(error.message, 2);
    throw error;
  }

  if (config.once) {
    const body = Buffer.concat(await (await exporter.scrape()).encoded('identity'));
    await exporter.close();
    process.stdout.write(body, () => process.exit(0));
    return;
  }

  const app = createApp({
    telemetryPath: config.telemetryPath,
    maxRequests: config.maxRequests,
    scrape: (options) => exporter.scrape(options),
    logger,
    version: build.version,
  });
  const { host, port } = config.listenAddress;
  const web = createWebServer(app, webConfig, logger, HTTP_LIMITS);
  const server = web.server;
  if (host === undefined) server.listen(port);
  else server.listen(port, host);
  server.on('error', (error: NodeJS.ErrnoException) => {
    const where = `${host ?? ''}:${port}`;
    if (error.code === 'EADDRINUSE') fail(`cannot listen on ${where}: address already in use`, 1);
    if (error.code === 'EACCES') fail(`cannot listen on ${where}: permission denied`, 1);
    if (error.code === 'EADDRNOTAVAIL') fail(`cannot listen on ${where}: address not available on this host`, 1);
    fail(`cannot listen on ${where}: ${error.message}`, 1);
  });
  server.on('listening', () => {
    const address = server.address();
    logger.info(
      {
        address: typeof address === 'object' && address ? `${address.address}:${address.port}` : address,
        version: build.version,
        backend: reader.name,
        tls: web.tls,
        basicAuth: webConfig.basicAuthUsers.size > 0,
      },
      'netns-exporter listening',
    );
    if (!web.tls && webConfig.basicAuthUsers.size > 0) logger.warn('basic auth without TLS: passwords cross the network in clear text');
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight scrapes');
    setTimeout(() => {
      logger.warn('in-flight scrapes did not finish in time; exiting');
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      void exporter.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  // A scrape answered after the signal leaves its keep-alive connection (Prometheus keeps them) idle,
  // and close() would wait keepAliveTimeout for it; close it as soon as its answer is handed off.
  server.on('request', (_request, response) => {
    response.once('finish', () => {
      if (stopping) server.closeIdleConnections();
    });
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => fail(`unexpected error: ${(error as Error)?.message ?? String(error)}`, 1));
