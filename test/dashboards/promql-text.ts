// Small text helpers for tests that inspect PromQL written into dashboards.

/** The expression with every quoted string emptied, so label values cannot look like syntax. */
export function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

/** Metric selectors with braces: `{ metric, matchers }` for each `metric{...}` in the expression. */
export function metricSelectors(expr: string): { metric: string; matchers: string }[] {
  return [...expr.matchAll(/\b(netns_[a-z_]+|up|scrape_duration_seconds)\{([^}]*)\}/g)].map((m) => ({
    metric: m[1]!,
    matchers: m[2]!,
  }));
}

/** Metric names used without a selector in braces (which would bypass the dashboard variables). */
export function bareMetrics(expr: string): string[] {
  return [...withoutStrings(expr).matchAll(/\b(netns_[a-z_]+|up|scrape_duration_seconds)\b(?!\s*\{)/g)].map((m) => m[1]!);
}

/** Contents of every range selector (`[5m]` gives `5m`). */
export function rangeWindows(expr: string): string[] {
  return [...withoutStrings(expr).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
}

/** Metrics passed straight into rate(), irate() or increase(). */
export function ratedMetrics(expr: string): string[] {
  return [...expr.matchAll(/\b(?:rate|irate|increase)\((netns_[a-z_]+)/g)].map((m) => m[1]!);
}
