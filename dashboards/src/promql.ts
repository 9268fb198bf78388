// PromQL building blocks shared by both dashboards. Every metric selector goes through `selector()`
// so that the job and instance variables can never be forgotten on one panel.

/** Labels that `--netns.labels-file` adds to `netns_info`; joined onto namespace series when present. */
export const NAME_LABELS = ['project', 'router_name'] as const;

/** Labels that identify one namespace on one exporter: the join key towards `netns_info`. */
const NAMESPACE_KEY = 'job, instance, netns';

/** How many series "top" panels show. */
export const TOP_N = 10;

/** Neutron namespaces that belong to a router (the `router` variable holds the UUID after the prefix). */
export const ROUTER_KINDS = 'qrouter|snat';

/**
 * A metric selector carrying the dashboard's job and instance filters plus `matchers`.
 * `=~` is used even for single-valued variables: Grafana escapes regex characters in a
 * single value and renders multi-values as `(a|b)`, so one form serves both.
 */
export function selector(metric: string, ...matchers: string[]): string {
  return `${metric}{${['job=~"$job"', 'instance=~"$instance"', ...matchers].join(', ')}}`;
}

/** Per-second rate over Grafana's `$__rate_interval`, which is always at least four scrape intervals. */
export function rate(series: string): string {
  return `rate(${series}[$__rate_interval])`;
}

/** Increase over the dashboard's whole time range, for tables that answer "did it happen at all". */
export function increaseOverRange(series: string): string {
  return `increase(${series}[$__range])`;
}

/**
 * Copies `kind`, `id` and the labels-file names (`project`, `router_name`) from `netns_info` onto
 * per-namespace series. `group_left` of a label that `netns_info` does not have yields no label,
 * so the same query works with and without a labels file.
 */
export function withNamespaceNames(expr: string, ...infoMatchers: string[]): string {
  const copied = ['kind', 'id', ...NAME_LABELS].join(', ');
  return `(${expr}) * on(${NAMESPACE_KEY}) group_left(${copied}) ${selector('netns_info', ...infoMatchers)}`;
}

/** `topk` with the dashboards' common size. */
export function top(expr: string, n: number = TOP_N): string {
  return `topk(${n}, ${expr})`;
}

/** A scalar-safe "count of matching series", 0 instead of no data when nothing matches. */
export function countOrZero(expr: string): string {
  return `count(${expr}) or vector(0)`;
}

/** Namespaces whose conntrack limit is known (> 0), with the used fraction of it. */
export function conntrackUse(...matchers: string[]): string {
  return (
    `${selector('netns_nf_conntrack_entries', ...matchers)}` +
    ` / (${selector('netns_nf_conntrack_entries_limit', ...matchers)} > 0)`
  );
}

/**
 * Operstates that mean "this link is not passing traffic". OVS internal ports (Neutron's qr-, qg-)
 * report `unknown` while working, so "not up" would be a false signal; this regex is the honest one.
 * `(?i)` because `ip -j link` prints upper case and sysfs lower case.
 */
export const DOWN_OPERSTATES = '(?i)down|lowerlayerdown|notpresent';
