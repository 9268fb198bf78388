// Metric families about namespaces and the scrape itself, filled from the Snapshot rather than by a
// collector: netns_info, per-namespace collector success, namespace counts and scrape timings.

import { family } from '../model/snapshot.js';

export const netnsInfoFamily = family(
  'netns_info',
  'gauge',
  'A network namespace found on the host; value is always 1. kind is the Neutron prefix (qrouter, qdhcp, snat, fip, qlbaas, ovnmeta), host or other; id is what follows the prefix. A namespace of kind other held by a process also has holder (the name of its lowest pid) and, where the cgroup of that process says, container_id and pod_uid (after any labels-file labels).',
  ['netns', 'kind', 'id'],
);
export const collectorSuccessFamily = family(
  'netns_collector_success',
  'gauge',
  'Whether a collector succeeded for a namespace in the last scrape (1) or failed (0); see the log for why.',
  ['netns', 'collector'],
);
export const namespacesFamily = family('netns_namespaces', 'gauge', 'Network namespaces reported, by kind.', ['kind']);
export const scrapeDurationFamily = family(
  'netns_scrape_duration_seconds',
  'gauge',
  'Seconds the last scrape spent per collector, summed over namespaces (so it can exceed wall time when namespaces are read in parallel); collector="discovery" is namespace discovery.',
  ['collector'],
);
export const collectionDurationFamily = family(
  'netns_scrape_collection_duration_seconds',
  'gauge',
  'Wall-clock seconds the last collection took, from discovery to the last namespace read.',
  [],
);
export const discoveryErrorsFamily = family(
  'netns_scrape_discovery_errors',
  'gauge',
  'Problems met while discovering namespaces in the last scrape (unreadable directory, duplicate name).',
  [],
);
export const vanishedFamily = family(
  'netns_scrape_vanished_namespaces',
  'gauge',
  'Namespaces that disappeared between discovery and reading in the last scrape (not an error).',
  [],
);
export const seriesFamily = family(
  'netns_scrape_series',
  'gauge',
  'Namespace series (everything but these scrape metrics) in the last scrape.',
  [],
);
export const droppedSeriesFamily = family(
  'netns_scrape_series_dropped',
  'gauge',
  'Series left out of the last scrape because it reached --collector.max-series.',
  [],
);

export const NAMESPACE_KINDS = ['qrouter', 'qdhcp', 'snat', 'fip', 'qlbaas', 'ovnmeta', 'host', 'other'] as const;

export const scrapeTimeoutFamily = family(
  'netns_scrape_timeout_seconds',
  'gauge',
  "The scrape timeout the client sent (Prometheus's X-Prometheus-Scrape-Timeout-Seconds); absent when it sent none.",
  [],
);
