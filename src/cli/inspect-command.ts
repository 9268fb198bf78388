// `netns-exporter inspect <router>`: reads one namespace twice, --interval apart, with the exporter's
// own collection, and prints what is wrong with it and its rates (src/on-node/). Exit status: 0 no
// verdict, 1 a verdict (or the namespace vanished), 2 bad input (an unknown router, an ambiguous
// prefix with its candidates, a bad flag), each with a one-line reason on stderr.

import { readingOf, type NamespaceReading } from '../on-node/namespace-reading.js';
import { inspectReport } from '../on-node/inspect-report.js';
import { renderInspectText } from '../on-node/inspect-text.js';
import { resolveRouter } from '../on-node/resolve-router.js';
import type { Collection } from '../exporter.js';
import type { NetnsRef } from '../model/netns-ref.js';
import type { Subcommand } from './flags.js';
import { nodeOptions, sleep, styleFor } from './node-options.js';
import { startSubcommand } from './open-collection.js';

const inspectSubcommand = (): Subcommand => ({
  name: 'inspect',
  description:
    "Read one namespace twice, --interval apart, and report what is wrong with it (verdicts by the alert rules' thresholds) " +
    'and its rates. Exit status 0: no verdict; 1: a verdict; 2: bad input.',
  argument: { name: 'router', description: 'a namespace name, a Neutron id or a unique prefix of one, or a name from --netns.labels-file' },
  onceHelp: 'no effect: inspect always reads twice and exits',
  options: nodeOptions(),
});

function say(message: string): void {
  process.stderr.write(`netns-exporter inspect: ${message}\n`);
}

export async function runInspectCommand(argv: readonly string[], version: string): Promise<number> {
  const started = await startSubcommand(argv, version, inspectSubcommand(), say);
  if (started.kind === 'exit') return started.exitCode;
  const { line, options, reader, collection } = started;
  try {
    const discovered = await collection.discover();
    const labelsOf = (ns: NetnsRef) => collection.labelsFile?.labels(ns) ?? [];
    const resolution = resolveRouter(line.argument ?? '', discovered.namespaces, labelsOf);
    if (resolution.kind !== 'found') {
      say(resolution.reason);
      return 2;
    }
    const { ns } = resolution;
    const before = await readOnce(collection, ns);
    if (before === undefined) return vanished(ns);
    await sleep(options.intervalMs);
    const after = await readOnce(collection, ns);
    if (after === undefined) return vanished(ns);
    const report = inspectReport({
      before,
      after,
      labels: Object.fromEntries(labelsOf(ns)),
      backend: reader.name,
      config: options.alertConfig,
    });
    process.stdout.write(
      options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderInspectText(report, styleFor(process.stdout)),
    );
    return report.verdicts.length === 0 ? 0 : 1;
  } finally {
    await reader.close();
  }
}

function vanished(ns: NetnsRef): number {
  say(`namespace ${ns.name} vanished while it was being read`);
  return 1;
}

/** One read of `ns` with the exporter's collection (only that namespace); undefined when it is gone. */
async function readOnce(collection: Collection, ns: NetnsRef): Promise<NamespaceReading | undefined> {
  const at = performance.now();
  const snapshot = await collection.collect({ only: (name) => name === ns.name });
  const found = snapshot.namespaces.find((candidate) => candidate.ns.inode === ns.inode && candidate.ns.dev === ns.dev);
  return found === undefined ? undefined : readingOf(found, at);
}
