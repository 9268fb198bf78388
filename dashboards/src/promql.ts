// PromQL building blocks shared by both dashboards. Every metric selector goes through `selector()`
// so that the job and instance variables can never be forgotten on one panel.

/** Labels that `--netns.labels-file` adds to `netns_info`; joined onto namespace series when present. */
export const NAME_LABELS = ['project', 'router_name'] as const;

/**
 * Labels that identify one namespace on one exporter: the join key towards the names record.
 * `cluster` is the mixins' multi-cluster label; a Prometheus without it joins on an empty value.
 */
export const NAMESPACE_KEY = 'cluster, job, instance, netns';

/**
 * The names recording rule of src/alerting/rules.ts: one series per namespace with `kind`,
 * `id`, `router_id` (routers only), `project` and `router_name` (from openstack-exporter when it
 * knows the router, else the labels file), deduplicated. The dashboards need the shipped rules loaded.
 */
export const NAMES_RECORD = 'netns:netns_info:names';

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
  return `${metric}{${['cluster=~"$cluster"', 'job=~"$job"', 'instance=~"$instance"', ...matchers].join(', ')}}`;
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
 * Copies `kind`, `id`, `router_id` and the names (`project`, `router_name`) from the names record onto
 * per-namespace series, keeping only namespaces that pass the record matchers (e.g. the kind and
 * project filters). `group_left` of a label the record lacks yields no label, so the same query works
 * with and without names.
 */
export function withNamespaceNames(expr: string, ...namesMatchers: string[]): string {
  const copied = ['kind', 'id', 'router_id', ...NAME_LABELS].join(', ');
  return `(${expr}) * on(${NAMESPACE_KEY}) group_left(${copied}) ${selector(NAMES_RECORD, ...namesMatchers)}`;
}

/** `topk` with the dashboards' common size. */
export function top(expr: string, n: number = TOP_N): string {
  return `topk(${n}, ${expr})`;
}

/**
 * Keeps only the series of `expr` above zero, in Prometheus rather than in the browser: a panel that
 * lists faults then returns the faulty series only, never every healthy one too.
 */
export function nonZero(expr: string): string {
  return `(${expr}) > 0`;
}

/**
 * A router's north-south port: `qg-`, its gateway to the external network (in the qrouter- namespace,
 * in the snat- namespace for DVR). Traffic a router forwards crosses two of its ports (in on qr-, out
 * on qg-), so summing receive and transmit over every port counts it twice; the qg- port counts
 * what enters and leaves the cloud once.
 */
export const GATEWAY_PORT = 'device=~"qg-.*"';

/** Receive plus transmit on qg- ports, in bits per second, one series per port. */
export function gatewayBits(): string {
  return (
    `(${rate(selector('netns_network_receive_bytes_total', GATEWAY_PORT))}` +
    ` + ${rate(selector('netns_network_transmit_bytes_total', GATEWAY_PORT))}) * 8`
  );
}

/** A scalar-safe "count of matching series", 0 instead of no data when nothing matches. */
export function countOrZero(expr: string): string {
  return `count(${expr}) or vector(0)`;
}

/** Namespaces whose conntrack limit is known (> 0), with the used fraction of it. */
export function conntrackUse(...matchers: string[]): string {
  return selector('netns_nf_conntrack_entries', ...matchers) + ` / (${selector('netns_nf_conntrack_entries_limit', ...matchers)} > 0)`;
}

/**
 * Operstates that mean "this link is not passing traffic". OVS internal ports (Neutron's qr-, qg-)
 * report `unknown` while working, so "not up" would be a false signal; this regex is the honest one.
 * `(?i)` because `ip -j link` prints upper case and sysfs lower case.
 */
export const DOWN_OPERSTATES = '(?i)down|lowerlayerdown|notpresent';
