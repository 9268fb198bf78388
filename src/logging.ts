// The exporter's logger: pino, JSON lines on stderr (stdout belongs to --once output). Namespace names
// always go under fixed keys (`netns`), never as keys.

import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { app: 'netns-exporter' } }, pino.destination({ fd: 2, sync: false }));
}
