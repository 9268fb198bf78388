// Numbers for people: SI-scaled rates (bit/s, packets/s), shares and fixed-width table columns.
// Styles (colour) are applied by the caller's Style, only when the output is a terminal.

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** 1234567 -> "1.23M": three significant digits, SI prefix; "0" for zero. */
export function si(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1000) return String(value);
  let scaled = Math.abs(value);
  let unit = 0;
  while (scaled >= 999.5 && unit < SI.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  const digits = scaled >= 99.5 ? 0 : scaled >= 9.95 ? 1 : 2;
  return `${value < 0 ? '-' : ''}${scaled.toFixed(digits)}${SI[unit]}`;
}

export const bitsPerSecond = (bytesPerSecond: number): string => `${si(bytesPerSecond * 8)}bit/s`;

export function share(value: number | undefined): string {
  if (value === undefined) return '-';
  return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)}%`;
}

/** Colours on a terminal; plain text elsewhere (a pipe, a file, NO_COLOR). */
export interface Style {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  inverse(text: string): string;
}

const plain = (text: string): string => text;
export const PLAIN: Style = { bold: plain, red: plain, yellow: plain, green: plain, dim: plain, inverse: plain };

const sgr =
  (on: number, off: number) =>
  (text: string): string =>
    `\u001b[${on}m${text}\u001b[${off}m`;
export const ANSI: Style = {
  bold: sgr(1, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  dim: sgr(2, 22),
  inverse: sgr(7, 27),
};

/** Left- or right-aligned columns, each as wide as its widest cell (header included). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
