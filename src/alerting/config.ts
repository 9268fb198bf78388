// What the alert rules are made of: every selector, threshold, window and `for` duration, and the
// shipped defaults. `netns-exporter rules --config FILE` overrides any field (config-overrides.ts).

export type Severity = 'warning' | 'critical';

export interface AlertConfig {
  /** Picks the exporter's series, including Prometheus' own `up` and scrape metrics of its job. */
  readonly selector: string;
  /**
   * Picks openstack-exporter's `openstack_neutron_router` series (empty: any job). When they are
   * present, router names and projects come from them; otherwise from the exporter's labels file.
   */
  readonly openstackSelector: string;
  /**
   * The label that tells clusters apart (the mixins' `cluster`): part of every alert's identity and
   * of every join. Absent from the series is fine.
   */
  readonly clusterLabel: string;
  /**
   * Which namespaces the per-namespace alerts cover: matchers on the identity record (`netns`, `kind`,
   * `id`). By default the Neutron kinds; process-held (`net:[…]`), container (`cni-…`) and other
   * namespaces, which on a hyper-converged node belong to someone else, only when added here.
   */
  readonly namespaceSelector: string;
  /** Window of every rate(); several scrape intervals long so one late scrape barely moves it. */
  readonly rateWindow: string;
  /**
   * How long a router's project (`project_id`) and openstack-exporter's names outlive its series:
   * openstack-exporter missing scrapes must not change an alert or drop a name.
   */
  readonly openstackBridge: string;
  /** Where `docs/runbook.md` is published; each alert links to its own section (`#<alertname>` in lower case). */
  readonly runbookUrl: string;
  /** Base URL of the Grafana that has the shipped dashboards (their uids are fixed). */
  readonly grafanaUrl: string;
  readonly interfaceErrors: {
    /** Errors per packet above which an interface that carries traffic alerts. */
    readonly ratio: number;
    /** Errors per second that alert whatever the ratio: 500/s is a fault even at 0.5 % of a busy port. */
    readonly errorsPerSecondFloor: number;
    readonly ratioFor: string;
    /** Below this many packets per second an interface counts as idle: a ratio means nothing there. */
    readonly idleBelowPacketsPerSecond: number;
    /** Errors per second that, sustained on an idle interface, point at a link or driver fault. */
    readonly idleErrorsPerSecond: number;
    readonly idleFor: string;
    readonly severity: Severity;
  };
  readonly routerPortDrops: {
    readonly namespaces: string;
    readonly devices: string;
    /** Share of the packets (passed plus dropped) that is dropped. */
    readonly ratio: number;
    /** Drops per second below which no ratio alerts: a handful of drops on an idle port is noise. */
    readonly dropsPerSecondFloor: number;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly conntrack: {
    readonly warningRatio: number;
    readonly criticalRatio: number;
    readonly for: string;
  };
  readonly conntrackDrops: { readonly perSecond: number; readonly for: string; readonly severity: Severity };
  /**
   * When one host has this many namespaces with the same symptom (and at least `minShare` of its
   * namespaces of the kinds concerned), one host alert explains them: the uplink, the CPU, the NIC.
   */
  readonly hostRollup: { readonly minRouters: number; readonly minShare: number };
  readonly collectionFailing: { readonly for: string; readonly severity: Severity };
  readonly exporterDown: { readonly for: string; readonly severity: Severity };
  readonly exporterAbsent: { readonly for: string; readonly severity: Severity };
  readonly seriesDropped: { readonly for: string; readonly severity: Severity };
  readonly labelsFile: { readonly for: string; readonly severity: Severity };
  readonly slowScrape: {
    /** Share of the scrape timeout above which scrapes count as slow. */
    readonly ratioOfTimeout: number;
    /**
     * The job's scrape timeout, used only when neither the exporter (`netns_scrape_timeout_seconds`,
     * read from Prometheus' X-Prometheus-Scrape-Timeout-Seconds header) nor Prometheus
     * (`scrape_timeout_seconds`, with `--enable-feature=extra-scrape-metrics`) reports it.
     */
    readonly fallbackTimeoutSeconds: number;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly routerPortDown: {
    /**
     * Operstates that mean down. Not `netns_network_up == 0`: OVS internal ports, which Neutron's
     * qg- and qr- ports are, report "unknown" while working. `(?i)`: `ip -j` prints upper case, sysfs lower.
     */
    readonly downOperstates: string;
    /** How far back a host counts as carrying a router when its exporter is down now. */
    readonly exporterDownLookback: string;
    /**
     * How long a router-wide alert waits for a host that carried the router and whose exporter was
     * lost: after that the hosts still scraped decide (keepalived fails over in seconds).
     */
    readonly decideAfter: string;
  };
  readonly gatewayDown: { readonly namespaces: string; readonly devices: string; readonly for: string; readonly severity: Severity };
  readonly gatewayUnreachable: {
    readonly namespaces: string;
    readonly devices: string;
    /** Neighbour states that mean the next hop does not answer. */
    readonly failedStates: string;
    /** Neighbour states that mean something on the port answers (or is configured to). */
    readonly answeringStates: string;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly internalPortDown: { readonly namespaces: string; readonly devices: string; readonly for: string; readonly severity: Severity };
  readonly namespacesCollapsed: {
    readonly kinds: string;
    /** Alert when a host carries fewer than this share of the most router namespaces it had over `lookback`. */
    readonly ratio: number;
    /** Hosts that had fewer router namespaces than this are left alone (a lab, a draining node). */
    readonly minimum: number;
    readonly lookback: string;
    readonly for: string;
    readonly severity: Severity;
  };
  readonly haSplitBrain: { readonly for: string; readonly severity: Severity };
  /**
   * An HA router whose role changed at least `changes` times within `window` on one of its hosts
   * (netns_router_ha_changes_total): keepalived ping-pong. A planned failover and back is 2.
   */
  readonly haFlapping: { readonly window: string; readonly changes: number; readonly for: string; readonly severity: Severity };
  readonly flapping: { readonly window: string; readonly changes: number; readonly for: string; readonly severity: Severity };
  /** A qdhcp- namespace without dnsmasq (netns_processes): its network's instances get no DHCP. */
  readonly dhcpServerMissing: { readonly for: string; readonly severity: Severity };
  /** An HA router (it has an L3 agent state file on this host) without keepalived: it cannot fail over. */
  readonly keepalivedMissing: { readonly for: string; readonly severity: Severity };
  /**
   * A router that may serve metadata here (not an HA backup) without haproxy, while at least
   * `minRouters` other routers of its host have one (so a deployment without router metadata proxies is silent).
   */
  readonly metadataProxyMissing: { readonly minRouters: number; readonly for: string; readonly severity: Severity };
  /** Internal router ports whose every neighbour fails: the subnet behind it is cut off (not the gateway: see gatewayUnreachable). */
  readonly neighborFailures: {
    readonly devices: string;
    readonly states: string;
    readonly entries: number;
    readonly for: string;
    readonly severity: Severity;
  };
}

const NEIGHBOUR_FAILED = 'failed|incomplete';
const NEIGHBOUR_ANSWERING = 'reachable|stale|delay|probe|permanent';

/** The shipped configuration: what `netns-exporter rules` writes without a --config file. */
export const alertConfig: AlertConfig = {
  selector: 'job="netns-exporter"',
  openstackSelector: '',
  clusterLabel: 'cluster',
  namespaceSelector: 'kind=~"qrouter|snat|fip|qdhcp"',
  rateWindow: '5m',
  openstackBridge: '1h',
  runbookUrl: 'https://netns-exporter.example.com/docs/runbook.md',
  grafanaUrl: 'https://grafana.example.com',
  interfaceErrors: {
    ratio: 0.01,
    errorsPerSecondFloor: 100,
    ratioFor: '15m',
    idleBelowPacketsPerSecond: 1,
    idleErrorsPerSecond: 0.1,
    idleFor: '15m',
    severity: 'warning',
  },
  routerPortDrops: {
    namespaces: 'qrouter-.*|snat-.*|fip-.*',
    devices: 'qr-.*|qg-.*|sg-.*|rfp-.*|fpr-.*|fg-.*',
    ratio: 0.01,
    dropsPerSecondFloor: 0.5,
    for: '15m',
    severity: 'warning',
  },
  conntrack: { warningRatio: 0.75, criticalRatio: 0.9, for: '5m' },
  conntrackDrops: { perSecond: 1, for: '10m', severity: 'critical' },
  hostRollup: { minRouters: 3, minShare: 0 },
  collectionFailing: { for: '10m', severity: 'warning' },
  exporterDown: { for: '5m', severity: 'warning' },
  exporterAbsent: { for: '15m', severity: 'warning' },
  seriesDropped: { for: '15m', severity: 'warning' },
  labelsFile: { for: '15m', severity: 'warning' },
  slowScrape: { ratioOfTimeout: 0.8, fallbackTimeoutSeconds: 10, for: '15m', severity: 'warning' },
  routerPortDown: { downOperstates: '(?i)down|lowerlayerdown|notpresent', exporterDownLookback: '1h', decideAfter: '5m' },
  gatewayDown: { namespaces: 'qrouter-.*|snat-.*', devices: 'qg-.*', for: '5m', severity: 'critical' },
  gatewayUnreachable: {
    namespaces: 'qrouter-.*|snat-.*',
    devices: 'qg-.*',
    failedStates: NEIGHBOUR_FAILED,
    answeringStates: NEIGHBOUR_ANSWERING,
    for: '5m',
    severity: 'critical',
  },
  internalPortDown: { namespaces: 'qrouter-.*', devices: 'qr-.*', for: '5m', severity: 'warning' },
  namespacesCollapsed: { kinds: 'qrouter|snat', ratio: 0.5, minimum: 10, lookback: '1h', for: '5m', severity: 'warning' },
  haSplitBrain: { for: '2m', severity: 'critical' },
  haFlapping: { window: '1h', changes: 4, for: '5m', severity: 'warning' },
  flapping: { window: '15m', changes: 6, for: '5m', severity: 'warning' },
  // The agents' process monitors respawn a dead service within a minute or two (check_child_processes_interval 60s).
  dhcpServerMissing: { for: '5m', severity: 'warning' },
  keepalivedMissing: { for: '5m', severity: 'warning' },
  metadataProxyMissing: { minRouters: 1, for: '10m', severity: 'warning' },
  neighborFailures: {
    devices: 'qr-.*|sg-.*|rfp-.*|fpr-.*|fg-.*',
    states: NEIGHBOUR_FAILED,
    entries: 5,
    for: '15m',
    severity: 'warning',
  },
};

/**
 * `config` with every `for` set to `forDuration` and every rate window (and the windows that wait for
 * a lost exporter or bridge openstack-exporter's gaps) to `rateWindow`, thresholds untouched: for
 * end-to-end tests against a live Prometheus that cannot wait fifteen minutes.
 */
export function withDurations(config: AlertConfig, forDuration: string, rateWindow: string): AlertConfig {
  const f = <T extends { readonly for: string }>(x: T): T => ({ ...x, for: forDuration });
  return {
    ...config,
    rateWindow,
    openstackBridge: rateWindow,
    interfaceErrors: { ...config.interfaceErrors, ratioFor: forDuration, idleFor: forDuration },
    routerPortDrops: f(config.routerPortDrops),
    conntrack: f(config.conntrack),
    conntrackDrops: f(config.conntrackDrops),
    collectionFailing: f(config.collectionFailing),
    exporterDown: f(config.exporterDown),
    exporterAbsent: f(config.exporterAbsent),
    seriesDropped: f(config.seriesDropped),
    labelsFile: f(config.labelsFile),
    slowScrape: f(config.slowScrape),
    routerPortDown: { ...config.routerPortDown, decideAfter: rateWindow },
    gatewayDown: f(config.gatewayDown),
    gatewayUnreachable: f(config.gatewayUnreachable),
    internalPortDown: f(config.internalPortDown),
    namespacesCollapsed: f(config.namespacesCollapsed),
    haSplitBrain: f(config.haSplitBrain),
    haFlapping: f(config.haFlapping),
    flapping: f(config.flapping),
    dhcpServerMissing: f(config.dhcpServerMissing),
    keepalivedMissing: f(config.keepalivedMissing),
    metadataProxyMissing: f(config.metadataProxyMissing),
    neighborFailures: f(config.neighborFailures),
  };
}
