// The alert configuration's regular expressions (device and namespace patterns, operstates) as the
// rules use them: PromQL matches `=~` against the whole value, and RE2's `(?i)` prefix, which
// JavaScript does not accept inline, becomes the `i` flag.

/** `pattern` matched whole, as PromQL's `=~`; `(?i)` at its start makes it case-insensitive. */
export function promqlRegex(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  const body = insensitive ? pattern.slice(4) : pattern;
  return new RegExp(`^(?:${body})$`, insensitive ? 'i' : '');
}
