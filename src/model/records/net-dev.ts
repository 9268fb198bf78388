// An interface's counters as /proc/net/dev prints them: what the text parser (parsers/proc-net-dev.ts)
// and the rtnetlink parser (parsers/netlink/rtnetlink-links.ts) both produce.

/** Receive columns, in /proc/net/dev order. */
export const RECEIVE_COUNTERS = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'] as const;
/** Transmit columns, in /proc/net/dev order. */
export const TRANSMIT_COUNTERS = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'] as const;

export type ReceiveCounter = (typeof RECEIVE_COUNTERS)[number];
export type TransmitCounter = (typeof TRANSMIT_COUNTERS)[number];

/** One interface line of /proc/net/dev. */
export interface NetDevRecord {
  /** As the kernel prints it: may hold quotes, '$', backslashes or UTF-8, never whitespace. */
  readonly device: string;
  readonly receive: Readonly<Record<ReceiveCounter, number>>;
  readonly transmit: Readonly<Record<TransmitCounter, number>>;
}
