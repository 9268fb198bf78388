// Why an input could not be had from a namespace. Failure is data: a ReaderError travels in a
// Reading, lands in a collector's result and becomes netns_collector_success 0 and one log line.

export type ReaderErrorKind =
  | 'vanished' // the namespace (or the process holding it) is gone
  | 'enter-denied' // setns/nsenter refused: missing capability
  | 'timeout' // the read took longer than --collector.timeout
  | 'not-present' // nothing to read and nothing wrong: no legacy tables, conntrack not loaded
  | 'tool-failed' // a tool exited non-zero or is missing
  | 'parse'; // bytes came back but did not parse

export interface ReaderError {
  readonly kind: ReaderErrorKind;
  /** Goes into the log line, never into a label. */
  readonly detail: string;
}
