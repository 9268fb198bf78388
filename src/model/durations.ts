// Prometheus-style durations ("500ms", "10s", "1m30s") as used by --collector.timeout.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [, h, m, s, ms] = match;
  const total =
    Number(h ?? 0) * (UNIT_MS.h as number) +
    Number(m ?? 0) * (UNIT_MS.m as number) +
    Number(s ?? 0) * (UNIT_MS.s as number) +
    Number(ms ?? 0);
  return total > 0 ? total : undefined;
}
