// The exporter's logger: pino, JSON lines on stderr (stdout belongs to --once output). Namespace names
// always go under fixed keys (`netns`), never as keys.

import { pino, type Logger } from 'pino';
import type { LogLevel } from './model/config.js';

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { app: 'netns-exporter' } }, pino.destination({ fd: 2, sync: false }));
}
