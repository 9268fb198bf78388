// PromQL building blocks shared by the recording and alerting rules: the label sets that identify a
// namespace, a host and a router, the recording rules' names, selectors, and the template snippets
// that read names and hosts at notification time. Pure strings in, strings out.
import type { AlertConfig } from './config.js';

/** The names recording rule: one series per namespace with `kind`, `id`, `project`, `router_name` (and `router_id`). */
export const NAMES_RECORD = 'netns:netns_info:names';
/** One series per namespace with only labels that cannot change while a fault lasts: kind, id, project_id. */
export const IDENTITY_RECORD = 'netns:netns_info:identity';
/** openstack-exporter's router series, the last one seen kept for `openstackBridge` after it goes. */
export const OPENSTACK_ROUTER_RECORD = 'netns:openstack_neutron_router:bridged';
/** Router namespaces (namespacesCollapsed.kinds) per host; 0 for a host that answers without any. */
export const ROUTER_COUNT_RECORD = 'instance:netns_router_namespaces:sum';
/** The peak of ROUTER_COUNT_RECORD, held while the host is collapsed (see the recording rule). */
export const ROUTER_PEAK_RECORD = 'instance:netns_router_namespaces:peak';

/** Per-namespace rates recorded for the fleet dashboard (node-mixin style `level:metric:operation`). */
export const RATE_RECORDS = [
  'receive_bytes',
  'transmit_bytes',
  'receive_packets',
  'transmit_packets',
  'receive_errs',
  'transmit_errs',
  'receive_drop',
  'transmit_drop',
].map((counter) => ({ counter, metric: `netns_network_${counter}_total`, record: `netns:netns_network_${counter}:rate5m` }));

/** The label sets every join and aggregation uses, with the configured cluster label. */
export interface Keys {
  readonly cluster: string;
  /** One exporter: cluster, job, instance. */
  readonly host: string;
  /** One namespace on one exporter. */
  readonly namespace: string;
  /** A router as a whole, across its hosts. */
  readonly router: string;
}

export function keysFor(config: AlertConfig): Keys {
  const cluster = config.clusterLabel;
  return {
    cluster,
    host: `${cluster}, job, instance`,
    namespace: `${cluster}, job, instance, netns`,
    router: `${cluster}, id`,
  };
}

/** Labels that identify one namespace on one exporter with the shipped `cluster` label. */
export const NAMESPACE_KEY = 'cluster, job, instance, netns';

/** `metric{selector, matchers...}` for the exporter's own series. */
export function selectorFor(config: AlertConfig): (metric: string, ...matchers: string[]) => string {
  return (metric, ...matchers) => `${metric}{${[config.selector, ...matchers].join(', ')}}`;
}

export function openstackRouterSelector(config: AlertConfig): string {
  return config.openstackSelector ? `openstack_neutron_router{${config.openstackSelector}}` : 'openstack_neutron_router';
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** `0.01` as "1%": thresholds quoted in descriptions read like the values next to them. */
export const percent = (ratio: number): string => `${Number((ratio * 100).toPrecision(6))}%`;

/**
 * Template snippets evaluated when the alert is sent, through the `query` function: names that are
 * not labels (they can change while a fault lasts) and the hosts a router-wide alert is about.
 */
export function templatesFor(config: AlertConfig) {
  const { cluster } = keysFor(config);
  const clusterValue = `(index $labels "${cluster}")`;
  // A raw (backquoted) Go string: the selector has double quotes.
  const q = (expr: string, ...args: string[]): string => `query (printf \`${expr}\` ${args.join(' ')})`;
  const namespaceNames = q(
    `topk(1, ${NAMES_RECORD}{${cluster}=%q, job=%q, instance=%q, netns=%q})`,
    clusterValue,
    '$labels.job',
    '$labels.instance',
    '$labels.netns',
  );
  const routerNames = q(`topk(1, ${NAMES_RECORD}{${cluster}=%q, id=%q, router_id!=""})`, clusterValue, '$labels.id');
  const name = (source: string, label: 'project' | 'router_name'): string => `{{ range ${source} }}{{ .Labels.${label} }}{{ end }}`;
  const sentence = (source: string): string =>
    `{{ range ${source} }}{{ with .Labels.router_name }} Router {{ . }}{{ end }}{{ with .Labels.project }} of project {{ . }}{{ end }}{{ if or .Labels.router_name .Labels.project }}.{{ end }}{{ end }}`;
  /** A comma-separated list of `instance` (plus `suffix` of each sample) over a query's samples. */
  const hosts = (query: string, suffix: string): string =>
    `{{ range $i, $s := ${query} | sortByLabel "instance" }}{{ if $i }}, {{ end }}{{ $s.Labels.instance }}${suffix}{{ end }}`;
  return { clusterValue, query: q, namespaceNames, routerNames, name, sentence, hosts };
}
