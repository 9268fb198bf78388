// Keeps the --netns.labels-file mapping current: checked before each scrape (a stat), re-read when
// its modification time or size changed. A file that no longer parses keeps the last good mapping,
// logs an error, and shows in netns_labels_file_reload_success.

import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { ExtraLabels, LabelsMapping } from '../model/records/labels.js';
import { hostFileVersion, readHostFile, type HostFileFailure } from '../host/host-file.js';
import type { NetnsRef } from '../model/netns-ref.js';
import { labelsFor, parseLabelsFile } from '../parsers/labels-file.js';

export class LabelsFileError extends Error {}

export class LabelsFileSource {
  private mapping: LabelsMapping = new Map();
  private seenVersion = '';
  private readonly reloadSuccess: Gauge;
  private readonly reloadTimestamp: Gauge;

  private constructor(
    readonly path: string,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.reloadSuccess = new Gauge({
      name: 'netns_labels_file_reload_success',
      help: 'Whether the last read of --netns.labels-file succeeded (1) or kept the previous mapping (0).',
      registers: [registry],
    });
    this.reloadTimestamp = new Gauge({
      name: 'netns_labels_file_last_reload_success_timestamp_seconds',
      help: 'When --netns.labels-file was last read successfully.',
      registers: [registry],
    });
  }

  /** Reads the file once; at start-up an unreadable or malformed file is an error, not a warning. */
  static async open(path: string, logger: Logger, registry: Registry): Promise<LabelsFileSource> {
    const source = new LabelsFileSource(path, logger, registry);
    const problem = await source.reload();
    if (problem) throw new LabelsFileError(`--netns.labels-file ${path}: ${problem}`);
    return source;
  }

  /** Re-reads the file if it changed since the last look; never throws. */
  async refresh(): Promise<void> {
    const problem = await this.reload();
    if (problem) this.logger.error({ path: this.path, reason: problem }, 'labels file not reloaded; keeping the last good mapping');
  }

  labels(ns: NetnsRef): ExtraLabels {
    return labelsFor(this.mapping, ns.name, ns.id);
  }

  /** Returns a reason when the file could not be used, undefined when it was (or had not changed). */
  private async reload(): Promise<string | undefined> {
    const seen = await hostFileVersion(this.path);
    if (!seen.ok) return this.unreadable(seen);
    if (seen.version === this.seenVersion) return undefined;
    const read = await readHostFile(this.path);
    if (!read.ok) return this.unreadable(read);
    const result = parseLabelsFile(read.data.toString('utf8'));
    // Remember this version even when it is bad, so one bad edit is logged once, not every scrape.
    this.seenVersion = seen.version;
    if (!result.ok) {
      this.reloadSuccess.set(0);
      return result.error.detail;
    }
    this.mapping = result.value;
    this.reloadSuccess.set(1);
    this.reloadTimestamp.set(Date.now() / 1000);
    this.logger.info({ path: this.path, entries: result.value.size }, 'labels file loaded');
    return undefined;
  }

  private unreadable(failure: HostFileFailure): string {
    this.reloadSuccess.set(0);
    return failure.code === 'ENOENT' ? 'file does not exist' : failure.message;
  }
}
