// Small text helpers for tests that inspect PromQL written into dashboards.

/** The expression with every quoted string emptied, so label values cannot look like syntax. */
export function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

/**
 * The metric names the dashboards' selector must reach: the exporter's own (netns_*, with netstat's
 * mixed case), the recording rules' (netns:...), the exporter process's, and Prometheus' `up` and
 * `scrape_duration_seconds`, `scrape_timeout_seconds` of the job.
 */
const METRIC =
  '(?<![\\w:])(netns:[a-z_]+:[a-z0-9_]+|netns_[A-Za-z_]+|process_[a-z_]+|nodejs_(?:eventloop|heap)[a-z0-9_]*|up|scrape_duration_seconds|scrape_timeout_seconds)(?![\\w:])';

/** Metric selectors with braces: `{ metric, matchers }` for each `metric{...}` in the expression. */
export function metricSelectors(expr: string): { metric: string; matchers: string }[] {
  return [...expr.matchAll(new RegExp(`${METRIC}\\{([^}]*)\\}`, 'g'))].map((m) => ({
    metric: m[1]!,
    matchers: m[2]!,
  }));
}

/** Metric names used without a selector in braces (which would bypass the dashboard variables). */
export function bareMetrics(expr: string): string[] {
  return [...withoutStrings(expr).matchAll(new RegExp(`${METRIC}(?!\\s*\\{)`, 'g'))].map((m) => m[1]!);
}

/** Contents of every range selector (`[5m]` gives `5m`). */
export function rangeWindows(expr: string): string[] {
  return [...withoutStrings(expr).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
}

/** Metrics passed straight into rate(), irate() or increase(), and recorded rates (`netns:<metric>:rate5m`, as `<metric>_total`). */
export function ratedMetrics(expr: string): string[] {
  return [
    ...[...expr.matchAll(/\b(?:rate|irate|increase)\((netns_[a-z_]+)/g)].map((m) => m[1]!),
    ...[...expr.matchAll(/\bnetns:(netns_[a-z_]+):rate5m\b/g)].map((m) => `${m[1]!}_total`),
  ];
}
