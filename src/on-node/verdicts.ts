// What is wrong with one namespace, judged on two reads by the thresholds of the shipped alert rules
// (src/alerting/config.ts, the same configuration `netns-exporter rules` writes them from): the
// rules look at minutes, `inspect` at its interval, so a verdict says "this alert's condition holds
// now", not "this alert fires". Where a rule looks across hosts (a router's port down on every host
// that may forward for it) one host can only say what it sees; an HA router that is not primary here
// keeps its ports down on purpose, so its port verdicts are left out as the rules leave them out.

import type { AlertConfig } from '../alerting/config.js';
import { promqlRegex } from './promql-regex.js';
import type { InspectReport, InterfaceReport, Verdict } from './report.js';

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 2 : 1)} %`;
const perSecond = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(0)}/s`;

type Facts = Omit<InspectReport, 'verdicts'>;

export function verdictsOf(report: Facts, config: AlertConfig): Verdict[] {
  return [
    ...portVerdicts(report, config),
    ...neighbourVerdicts(report, config),
    ...errorVerdicts(report, config),
    ...dropVerdicts(report, config),
    ...conntrackVerdicts(report, config),
    ...haVerdicts(report),
    ...report.failures.map((failure): Verdict => ({
      check: 'collector-failed',
      severity: config.collectionFailing.severity,
      alert: 'NetnsCollectionFailing',
      summary: `collector ${failure.collector} failed: ${failure.kind}: ${failure.detail}`,
    })),
  ];
}

/** An HA router that is not primary on this host keeps its ports down, and its gateway silent, on purpose. */
const standsBy = (report: Facts): boolean => report.haState !== undefined && report.haState !== 'primary';

function portVerdicts(report: Facts, config: AlertConfig): Verdict[] {
  if (standsBy(report)) return [];
  const down = promqlRegex(config.routerPortDown.downOperstates);
  const verdicts: Verdict[] = [];
  for (const [check, alert, rule] of [
    ['gateway-down', 'NetnsRouterGatewayDown', config.gatewayDown],
    ['internal-port-down', 'NetnsRouterInternalPortDown', config.internalPortDown],
  ] as const) {
    if (!promqlRegex(rule.namespaces).test(report.namespace.name)) continue;
    const devices = promqlRegex(rule.devices);
    for (const port of report.interfaces) {
      if (!devices.test(port.device) || port.operstate === undefined || !down.test(port.operstate)) continue;
      const what = check === 'gateway-down' ? 'gateway port' : 'internal port';
      verdicts.push({
        check,
        severity: rule.severity,
        alert,
        device: port.device,
        summary: `${what} ${port.device} is ${port.operstate} (operstate matches ${config.routerPortDown.downOperstates})`,
      });
    }
  }
  return verdicts;
}

function neighbourVerdicts(report: Facts, config: AlertConfig): Verdict[] {
  const gw = config.gatewayUnreachable;
  const neigh = config.neighborFailures;
  const answering = promqlRegex(gw.answeringStates);
  const verdicts: Verdict[] = [];
  const devices = [...new Set(report.neighbours.map((entry) => entry.device))];
  for (const device of devices) {
    const entries = report.neighbours.filter((entry) => entry.device === device);
    const answers = entries.filter((entry) => answering.test(entry.state)).reduce((sum, entry) => sum + entry.entries, 0);
    if (answers > 0) continue;
    const gateway = promqlRegex(gw.namespaces).test(report.namespace.name) && promqlRegex(gw.devices).test(device);
    const failedStates = promqlRegex(gateway ? gw.failedStates : neigh.states);
    // "stays": failed at both reads, not one that is being resolved right now
    const failed = entries.filter((entry) => failedStates.test(entry.state) && entry.entries > 0 && entry.entriesBefore > 0);
    const count = failed.reduce((sum, entry) => sum + entry.entries, 0);
    const states = failed.map((entry) => `${entry.entries} ${entry.family} ${entry.state.toUpperCase()}`).join(', ');
    if (gateway && count > 0 && !standsBy(report)) {
      verdicts.push({
        check: 'gateway-unreachable',
        severity: gw.severity,
        alert: 'NetnsRouterGatewayUnreachable',
        device,
        summary: `gateway next hop on ${device} does not answer: ${states} at both reads, no neighbour in state ${gw.answeringStates}`,
      });
    } else if (!gateway && promqlRegex(neigh.devices).test(device) && count >= neigh.entries) {
      verdicts.push({
        check: 'neighbour-failures',
        severity: neigh.severity,
        alert: 'NetnsNeighborFailures',
        device,
        summary: `no neighbour answers behind ${device}: ${states} at both reads (threshold ${neigh.entries}), none answering`,
      });
    }
  }
  return verdicts;
}

const DIRECTIONS = [
  { name: 'receive', verb: 'received' },
  { name: 'transmit', verb: 'sent' },
] as const;

function rate(port: InterfaceReport, counter: string): number {
  return port.rate[counter] ?? 0;
}

function errorVerdicts(report: Facts, config: AlertConfig): Verdict[] {
  const errors = config.interfaceErrors;
  const verdicts: Verdict[] = [];
  for (const port of report.interfaces) {
    for (const d of DIRECTIONS) {
      const packets = rate(port, `${d.name}_packets`);
      const errs = rate(port, `${d.name}_errs`);
      if (errs === 0) continue;
      const ratio = packets > 0 ? errs / packets : Infinity;
      const busy = (ratio > errors.ratio && packets >= errors.idleBelowPacketsPerSecond) || errs > errors.errorsPerSecondFloor;
      const idle = errs > errors.idleErrorsPerSecond && packets < errors.idleBelowPacketsPerSecond;
      if (!busy && !idle) continue;
      const direction = d.name === 'receive' ? 'Receive' : 'Transmit';
      verdicts.push({
        check: 'interface-errors',
        severity: errors.severity,
        alert: busy ? `NetnsInterface${direction}ErrorRatioHigh` : `NetnsInterface${direction}ErrorsWhileIdle`,
        device: port.device,
        summary: busy
          ? `${port.device}: ${perSecond(errs)} ${d.name} errors, ${Number.isFinite(ratio) ? percent(ratio) : 'all'} of ${perSecond(packets)} packets ${d.verb} ` +
            `(threshold ${percent(errors.ratio)}, or more than ${errors.errorsPerSecondFloor}/s)`
          : `${port.device}: ${perSecond(errs)} ${d.name} errors while idle (${perSecond(packets)} packets; threshold ${errors.idleErrorsPerSecond}/s below ${errors.idleBelowPacketsPerSecond} packets/s)`,
      });
    }
  }
  return verdicts;
}

function dropVerdicts(report: Facts, config: AlertConfig): Verdict[] {
  const drops = config.routerPortDrops;
  if (!promqlRegex(drops.namespaces).test(report.namespace.name)) return [];
  const devices = promqlRegex(drops.devices);
  const verdicts: Verdict[] = [];
  for (const port of report.interfaces) {
    if (!devices.test(port.device)) continue;
    for (const d of DIRECTIONS) {
      const dropped = rate(port, `${d.name}_drop`);
      const passed = rate(port, `${d.name}_packets`);
      const ratio = dropped / (passed + dropped || 1);
      if (!(ratio > drops.ratio && dropped > drops.dropsPerSecondFloor)) continue;
      verdicts.push({
        check: 'port-drops',
        severity: drops.severity,
        alert: `NetnsRouterPort${d.name === 'receive' ? 'Receive' : 'Transmit'}Drops`,
        device: port.device,
        summary:
          `${port.device} drops ${percent(ratio)} of its ${d.verb} packets (${perSecond(dropped)}; ` +
          `threshold ${percent(drops.ratio)} with more than ${drops.dropsPerSecondFloor}/s)`,
      });
    }
  }
  return verdicts;
}

function conntrackVerdicts(report: Facts, config: AlertConfig): Verdict[] {
  const verdicts: Verdict[] = [];
  const { use, entries, limit, stats } = report.conntrack;
  if (use !== undefined) {
    const level =
      use > config.conntrack.criticalRatio
        ? ({ severity: 'critical', alert: 'NetnsConntrackTableNearlyFull', threshold: config.conntrack.criticalRatio } as const)
        : use > config.conntrack.warningRatio
          ? ({ severity: 'warning', alert: 'NetnsConntrackTableFilling', threshold: config.conntrack.warningRatio } as const)
          : undefined;
    if (level !== undefined) {
      verdicts.push({
        check: 'conntrack-full',
        severity: level.severity,
        alert: level.alert,
        summary: `conntrack table ${percent(use)} full (${entries} of ${limit}; threshold ${percent(level.threshold)})`,
      });
    }
  }
  const dropping = stats.filter((stat) => ['insert_failed', 'drop', 'early_drop'].includes(stat.name));
  const total = dropping.reduce((sum, stat) => sum + stat.rate, 0);
  if (total > config.conntrackDrops.perSecond) {
    verdicts.push({
      check: 'conntrack-drops',
      severity: config.conntrackDrops.severity,
      alert: 'NetnsConntrackDrops',
      summary:
        `conntrack drops connections: ${dropping.map((stat) => `${stat.name} ${perSecond(stat.rate)}`).join(', ')} ` +
        `(threshold ${config.conntrackDrops.perSecond}/s in all)`,
    });
  }
  return verdicts;
}

function haVerdicts(report: Facts): Verdict[] {
  if (report.haState !== 'fault') return [];
  return [
    {
      check: 'ha-fault',
      severity: 'warning',
      summary: 'keepalived reports FAULT for this router on this host: it cannot take over here if the primary fails',
    },
  ];
}
