// `inspect`'s report as text, read top-down: verdicts first (each with its evidence), then the
// namespace's interfaces, neighbours, netstat, conntrack and rules over the interval.

import type { InspectReport, RuleReport, Verdict } from './report.js';
import { bitsPerSecond, share, si, table, type Style } from './units.js';

const INDENT = '  ';

export function renderInspectText(report: InspectReport, style: Style): string {
  const out: string[] = [];
  const { namespace } = report;
  const labels = Object.entries(namespace.labels).map(([label, value]) => `${label}=${value}`);
  const about = [namespace.kind, namespace.id ? `id ${namespace.id}` : '', ...labels].filter((part) => part !== '').join(', ');
  out.push(`${style.bold(namespace.name)} (${about})`);
  out.push(style.dim(`rates over ${report.intervalSeconds.toFixed(2)} s, ${report.backend} backend`));
  if (report.haState !== undefined) {
    const onPurpose =
      report.haState === 'primary' ? '' : ': its ports stay down and its gateway silent on purpose, so no port verdict applies';
    out.push(`HA: this host is ${report.haState.toUpperCase()} for this router${onPurpose}`);
  }
  out.push('');

  if (report.verdicts.length === 0) out.push(style.green('OK: no verdict'));
  for (const verdict of report.verdicts) out.push(verdictLine(verdict, style));
  out.push('');

  out.push(style.bold('Interfaces'));
  const interfaceRows = report.interfaces.map((port) => {
    const r = (counter: string): number => port.rate[counter] ?? 0;
    return [
      port.device,
      port.operstate ?? '?',
      port.mtu === undefined ? '' : String(port.mtu),
      port.address ?? '',
      bitsPerSecond(r('receive_bytes')),
      si(r('receive_packets')),
      bitsPerSecond(r('transmit_bytes')),
      si(r('transmit_packets')),
      si(r('receive_errs')),
      si(r('receive_drop')),
      si(r('transmit_errs')),
      si(r('transmit_drop')),
    ];
  });
  const header = [
    'device',
    'state',
    'mtu',
    'address',
    'rx',
    'rx pkt/s',
    'tx',
    'tx pkt/s',
    'rx err/s',
    'rx drop/s',
    'tx err/s',
    'tx drop/s',
  ];
  for (const line of table(header, interfaceRows, new Set([2, 4, 5, 6, 7, 8, 9, 10, 11]))) out.push(INDENT + line);
  for (const port of report.interfaces) {
    const breakdown = ['receive_fifo', 'receive_frame', 'transmit_fifo', 'transmit_colls', 'transmit_carrier']
      .filter((counter) => (port.increase[counter] ?? 0) > 0)
      .map((counter) => `${counter} ${si(port.rate[counter] ?? 0)}/s`);
    if (breakdown.length > 0) out.push(`${INDENT}${port.device} errors: ${breakdown.join(', ')}`);
  }
  out.push('');

  out.push(style.bold('Neighbours'));
  if (report.neighbours.length === 0) out.push(`${INDENT}none`);
  const devices = [...new Set(report.neighbours.map((entry) => entry.device))];
  for (const device of devices) {
    const states = report.neighbours
      .filter((entry) => entry.device === device && entry.entries > 0)
      .map((entry) => `${entry.family} ${entry.state} ${entry.entries}`);
    out.push(`${INDENT}${device}: ${states.length === 0 ? 'none' : states.join(', ')}`);
  }
  out.push('');

  out.push(style.bold('Netstat (per second)'));
  if (report.netstat.length === 0) out.push(`${INDENT}not read`);
  else out.push(...wrap(report.netstat.map((counter) => `${counter.name} ${si(counter.rate)}`)));
  out.push('');

  const { conntrack } = report;
  out.push(style.bold('Conntrack'));
  if (conntrack.entries === undefined) out.push(`${INDENT}not loaded in this namespace`);
  else out.push(`${INDENT}entries ${conntrack.entries} of limit ${conntrack.limit ?? '?'} (${share(conntrack.use)})`);
  if (conntrack.stats.length > 0) out.push(...wrap(conntrack.stats.map((stat) => `${stat.name} ${si(stat.rate)}/s`)));
  out.push('');

  out.push(style.bold('Busiest rules'));
  out.push(...ruleLines(report.rules.busiest, 'no rule matched in the interval'));
  out.push(style.bold('DROP/REJECT that matched'));
  out.push(...ruleLines(report.rules.dropped, 'none'));
  out.push(style.bold('NAT'));
  out.push(...ruleLines(report.rules.nat, 'no NAT rules'));

  if (report.failures.length > 0) {
    out.push('', style.bold('Collector failures'));
    for (const failure of report.failures) out.push(`${INDENT}${failure.collector}: ${failure.kind}: ${failure.detail}`);
  }
  return `${out.join('\n')}\n`;
}

function verdictLine(verdict: Verdict, style: Style): string {
  const label = verdict.severity === 'critical' ? style.red('CRITICAL') : style.yellow('WARNING ');
  return `${label} ${verdict.summary}${verdict.alert ? style.dim(` [${verdict.alert}]`) : ''}`;
}

function ruleLines(rules: readonly RuleReport[], none: string): string[] {
  if (rules.length === 0) return [`${INDENT}${none}`];
  const rows = rules.map((rule) => [
    `${si(rule.packetsPerSecond)} pkt/s`,
    bitsPerSecond(rule.bytesPerSecond),
    `${rule.backend}/${rule.family}`,
    rule.table,
    rule.chain,
    rule.position === null ? 'policy' : `#${rule.position}`,
    rule.target,
    rule.comment === '' ? '' : JSON.stringify(rule.comment),
  ]);
  return table(['packets', 'bits', 'backend', 'table', 'chain', 'rule', 'target', 'comment'], rows, new Set([0, 1])).map(
    (line) => INDENT + line,
  );
}

function wrap(items: readonly string[], width = 100): string[] {
  const lines: string[] = [];
  let line = INDENT;
  for (const item of items) {
    if (line.length > INDENT.length && line.length + item.length + 2 > width) {
      lines.push(line.trimEnd());
      line = INDENT;
    }
    line += `${item}   `;
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}
