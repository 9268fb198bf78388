// `netns-exporter top`: every namespace on the host, one row each, with rates between two of the
// exporter's own collections (a refresh costs one scrape). On a terminal it redraws every
// --interval and takes keys (sort, filter, quit); without one, or with --once or --output json, it
// prints one table (rates over --interval) and exits.

import { Option } from 'commander';
import type { Logger } from 'pino';
import type { Collection } from '../exporter.js';
import { readingOf, type NamespaceReading } from '../on-node/namespace-reading.js';
import {
  DEFAULT_SORT,
  renderTopTable,
  SORT_COLUMNS,
  TOP_FAMILIES,
  TOP_FORMAT,
  topRows,
  viewRows,
  type TopReport,
  type TopRow,
  type TopView,
} from '../on-node/top-table.js';
import type { Style } from '../on-node/units.js';
import type { Subcommand } from './flags.js';
import { nodeOptions, sleep, styleFor } from './node-options.js';
import { startSubcommand } from './open-collection.js';

const topSubcommand = (): Subcommand => ({
  name: 'top',
  description:
    'A live table of every namespace (throughput, packets, errors, drops, conntrack, rule hits, failures), refreshed every --interval. ' +
    'Keys: n t p e d c h f sort by that column, < > move the sort, r reverse, k next kind (of those present), / filter by name, q quit. ' +
    'Without a terminal, or with --once or --output json, prints one table and exits.',
  onceHelp: 'print one table (rates over --interval) and exit, also on a terminal',
  options: [
    ...nodeOptions(),
    new Option('--sort <column>', 'column to sort by, largest first (name: a-z)')
      .choices(SORT_COLUMNS.map((c) => c.name))
      .default(DEFAULT_SORT),
    new Option('--kind <kind>', 'only namespaces of this kind (qrouter, qdhcp, snat, fip, ...)'),
  ],
});

function say(message: string): void {
  process.stderr.write(`netns-exporter top: ${message}\n`);
}

interface Round {
  readonly at: number;
  readonly readings: NamespaceReading[];
}

/** One collection of every namespace, copied into readings of the families a row needs. */
async function collectRound(collection: Collection): Promise<Round> {
  const at = performance.now();
  const snapshot = await collection.collect();
  return { at, readings: snapshot.namespaces.map((ns) => readingOf(ns, at, TOP_FAMILIES)) };
}

function rowsBetween(before: Round, after: Round, collection: Collection): TopRow[] {
  const earlier = new Map(before.readings.map((reading) => [reading.ns.name, reading]));
  const seconds = Math.max((after.at - before.at) / 1000, 0.001);
  return topRows(earlier, after.readings, seconds, (reading) => Object.fromEntries(collection.labelsFile?.labels(reading.ns) ?? []));
}

export async function runTopCommand(argv: readonly string[], version: string): Promise<number> {
  const started = await startSubcommand(argv, version, topSubcommand(), say);
  if (started.kind === 'exit') return started.exitCode;
  const { line, options, logger, reader, collection } = started;
  const kind = line.options.kind as string | undefined;
  const view: TopView = { sort: String(line.options.sort), reversed: false, ...(kind === undefined ? {} : { kind }) };
  const interactive = process.stdout.isTTY && process.stdin.isTTY && !line.config.once && options.output === 'text';
  try {
    if (interactive) return await runLive(collection, options.intervalMs, view, styleFor(process.stdout), logger);
    const before = await collectRound(collection);
    await sleep(options.intervalMs);
    const after = await collectRound(collection);
    const rows = viewRows(rowsBetween(before, after, collection), view);
    if (options.output === 'json') {
      const report: TopReport = {
        format: TOP_FORMAT,
        intervalSeconds: (after.at - before.at) / 1000,
        backend: reader.name,
        namespaces: rows,
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const style = styleFor(process.stdout);
      const head = `${rows.length} namespaces, rates over ${((after.at - before.at) / 1000).toFixed(2)} s, sorted by ${view.sort}`;
      process.stdout.write(`${[style.dim(head), ...renderTopTable(rows, style)].join('\n')}\n`);
    }
    return 0;
  } finally {
    await reader.close();
  }
}

// ---- the live table

const ESC = '\u001b';
const ENTER_SCREEN = `${ESC}[?1049h${ESC}[?25l`;
const LEAVE_SCREEN = `${ESC}[?25h${ESC}[?1049l`;

/** The screen's state: what the keys change. */
interface LiveState {
  view: TopView;
  rows: TopRow[];
  /** Text being typed after `/`; undefined when not typing. */
  typing?: string;
  status: string;
}

async function runLive(collection: Collection, intervalMs: number, initial: TopView, style: Style, logger: Logger): Promise<number> {
  const { stdin, stdout } = process;
  const state: LiveState = { view: initial, rows: [], status: 'reading every namespace twice...' };
  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  let done = false;

  const draw = (): void => {
    if (done) return;
    const width = stdout.columns || 80;
    const height = stdout.rows || 24;
    const shown = viewRows(state.rows, state.view);
    const column = SORT_COLUMNS.find((candidate) => candidate.name === state.view.sort);
    const filters = [
      `sort ${column?.title ?? state.view.sort}${state.view.reversed ? ' (reversed)' : ''}`,
      `kind ${state.view.kind ?? 'all'}`,
      state.typing !== undefined ? `name /${state.typing}_` : `name ${state.view.text ? `/${state.view.text}` : 'all'}`,
    ];
    const lines = [
      `netns-exporter top: ${shown.length} of ${state.rows.length} namespaces | ${filters.join(' | ')}`.slice(0, width),
      style.dim(`${state.status} | n t p e d c h f sort, < > move, r reverse, k kind, / name, q quit`.slice(0, width)),
      ...renderTopTable(shown, style, Math.max(height - 3, 1), width),
    ];
    stdout.write(`${ESC}[H${lines.map((text) => `${text}${ESC}[K`).join('\r\n')}${ESC}[J`);
  };

  const moveSort = (step: number): void => {
    const index = SORT_COLUMNS.findIndex((candidate) => candidate.name === state.view.sort);
    const next = SORT_COLUMNS[(index + step + SORT_COLUMNS.length) % SORT_COLUMNS.length];
    if (next) state.view = { ...state.view, sort: next.name };
  };

  /** One key; while typing after `/`, keys are the filter's text until Enter (keep) or Esc (drop). */
  const onOneKey = (key: string): void => {
    if (key === '\u0003') {
      quit();
      return;
    }
    if (state.typing !== undefined) {
      if (key === '\r' || key === '\n') {
        state.view = { ...state.view, text: state.typing };
        delete state.typing;
      } else if (key === ESC) delete state.typing;
      else if (key === '\u007f' || key === '\b') state.typing = state.typing.slice(0, -1);
      else if (key >= ' ') state.typing += key;
      return;
    }
    const column = SORT_COLUMNS.find((candidate) => candidate.key === key);
    if (column) state.view = { ...state.view, sort: column.name };
    else if (key === 'q') quit();
    else if (key === '<') moveSort(-1);
    else if (key === '>') moveSort(1);
    else if (key === 'r') state.view = { ...state.view, reversed: !state.view.reversed };
    else if (key === 'k') {
      // all, then each kind there is, in name order
      const kinds = [undefined, ...[...new Set(state.rows.map((row) => row.kind))].sort()];
      const next = kinds[(kinds.indexOf(state.view.kind) + 1) % kinds.length];
      const { kind: _previous, ...rest } = state.view;
      state.view = next === undefined ? rest : { ...rest, kind: next };
    } else if (key === '/') state.typing = state.view.text ?? '';
  };

  const onKey = (data: Buffer): void => {
    const text = data.toString('utf8');
    // an escape sequence (arrows, function keys) is one chunk: nothing here uses them
    if (!(text.startsWith(ESC) && text.length > 1)) for (const key of text) onOneKey(key);
    draw();
  };

  const onResize = (): void => draw();
  stdout.write(ENTER_SCREEN);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.on('data', onKey);
  stdout.on('resize', onResize);
  const onSignal = (): void => quit();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  draw();

  const refresh = async (): Promise<void> => {
    let before = await collectRound(collection);
    while (!done) {
      const waited = await Promise.race([sleep(intervalMs).then(() => true), quitting.then(() => false)]);
      if (!waited || done) return;
      const started = performance.now();
      const after = await collectRound(collection);
      state.rows = rowsBetween(before, after, collection);
      state.status = `rates over ${((after.at - before.at) / 1000).toFixed(2)} s, refresh took ${((performance.now() - started) / 1000).toFixed(2)} s`;
      before = after;
      draw();
    }
  };
  const refreshing = refresh().catch((error: unknown) => {
    logger.error({ err: error }, 'top: a refresh failed');
    quit();
  });

  await quitting;
  done = true;
  stdin.off('data', onKey);
  stdout.off('resize', onResize);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  stdin.setRawMode(false);
  stdin.pause();
  stdout.write(LEAVE_SCREEN);
  // a collection under way finishes on its own; its result is not drawn
  void refreshing;
  return 0;
}
