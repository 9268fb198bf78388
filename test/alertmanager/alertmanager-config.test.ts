// The shipped Alertmanager configuration: amtool accepts it, each kind of alert reaches the receiver
// its route says (amtool's own routing, not a reimplementation), every route is reached by a case, and
// the labels its routes and inhibit rules match on are ones the shipped rules really emit, so the
// rules and the Alertmanager configuration cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { skipUnless } from '../support/gates.js';

const CONFIG = fileURLToPath(new URL('../../deploy/alertmanager/alertmanager.yml', import.meta.url));
const RULES = fileURLToPath(new URL('../../deploy/prometheus/netns-exporter.rules.yml', import.meta.url));

interface Route {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly continue?: boolean;
  readonly routes?: readonly Route[];
}
interface InhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}
interface AlertmanagerConfig {
  readonly route: Route;
  readonly inhibit_rules: readonly InhibitRule[];
  readonly receivers: readonly { readonly name: string; readonly webhook_configs?: readonly { readonly url: string }[] }[];
}
interface ShippedAlert {
  readonly alert: string;
  readonly labels: Readonly<Record<string, string>>;
}

const config = parse(readFileSync(CONFIG, 'utf8')) as AlertmanagerConfig;
const shippedAlerts: ShippedAlert[] = (
  parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[] }
).groups
  .flatMap((group) => group.rules)
  .filter((rule): rule is { alert: string; labels: Record<string, string> } => rule.alert !== undefined)
  .map((rule) => ({ alert: rule.alert, labels: rule.labels ?? {} }));

/** `name="value"`, `name=~"a|b"`, `name!="value"` as Alertmanager writes matchers. */
function parseMatcher(text: string): { name: string; op: '=' | '!=' | '=~' | '!~'; value: string } {
  const match = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(text);
  if (!match) throw new Error(`not a matcher this test understands: ${text}`);
  return { name: match[1]!, op: match[2] as '=' | '!=' | '=~' | '!~', value: match[3]! };
}

/** netns-exporter's alerts and nothing else, in a config that may share an Alertmanager with others. */
const OURS = 'alertname=~"Netns.+"';

/** The values a positive matcher can match: the value itself, or each branch of a plain alternation. */
function matchedValues(text: string): { name: string; values: string[] } | undefined {
  const { name, op, value } = parseMatcher(text);
  if (op === '=') return { name, values: [value] };
  if (text === OURS) return undefined;
  if (op === '=~') {
    if (!/^[a-zA-Z0-9_|]+$/.test(value)) throw new Error(`regex matcher too clever to check against the rules: ${text}`);
    return { name, values: value.split('|') };
  }
  return undefined;
}

function allRoutes(route: Route, depth = 0): { route: Route; depth: number }[] {
  return [{ route, depth }, ...(route.routes ?? []).flatMap((child) => allRoutes(child, depth + 1))];
}

const amtoolMissing = execaSync('amtool', ['--version'], { reject: false }).exitCode !== 0;

describe.skipIf(
  skipUnless(!amtoolMissing, 'amtool check-config / config routes test', 'amtool not found (apt install prometheus-alertmanager)'),
)('amtool', () => {
  const amtool = (args: readonly string[]) => execa('amtool', args, { reject: false, all: true });

  test('check-config accepts deploy/alertmanager/alertmanager.yml', async () => {
    const result = await amtool(['check-config', CONFIG]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain(`${config.inhibit_rules.length} inhibit rules`);
  });

  const PROJECT = 'project_id=0123456789abcdef0123456789abcdef';
  // Label sets of real alerts (names and labels as the rules emit them) and where they must go.
  const cases: { name: string; labels: string[]; receivers: string }[] = [
    {
      name: 'a critical router-wide alert pages',
      labels: ['alertname=NetnsRouterGatewayDown', 'severity=critical', 'scope=router', 'symptom=gateway_down', 'id=r1'],
      receivers: 'netns-critical',
    },
    {
      name: 'a warning router-wide alert goes to the queue',
      labels: ['alertname=NetnsRouterInternalPortDown', 'severity=warning', 'scope=router', 'symptom=port_down', 'id=r1'],
      receivers: 'netns-warning',
    },
    {
      name: 'a critical namespace alert pages',
      labels: [
        'alertname=NetnsRouterGatewayUnreachable',
        'severity=critical',
        'scope=namespace',
        'symptom=gateway_unreachable',
        'instance=n1:9100',
        'netns=qrouter-r1',
        'id=r1',
      ],
      receivers: 'netns-critical',
    },
    {
      name: 'a warning namespace alert goes to the queue',
      labels: [
        'alertname=NetnsConntrackTableFilling',
        'severity=warning',
        'scope=namespace',
        'symptom=conntrack',
        'instance=n1:9100',
        'netns=qrouter-r1',
      ],
      receivers: 'netns-warning',
    },
    {
      name: 'a critical host rollup pages',
      labels: [
        'alertname=NetnsHostGatewayUnreachable',
        'severity=critical',
        'scope=host',
        'symptom=gateway_unreachable',
        'instance=n1:9100',
      ],
      receivers: 'netns-critical',
    },
    {
      name: 'the exporter down is a warning',
      labels: ['alertname=NetnsExporterDown', 'severity=warning', 'scope=exporter', 'instance=n1:9100'],
      receivers: 'netns-warning',
    },
    { name: 'an alert without a severity goes to the queue', labels: ['alertname=Unlabelled'], receivers: 'netns-warning' },
    {
      name: "a project's critical router alert pages and reaches the project",
      labels: ['alertname=NetnsRouterGatewayDown', 'severity=critical', 'scope=router', 'id=r1', PROJECT],
      receivers: 'project-example,netns-critical',
    },
    {
      name: "a project's warning namespace alert reaches the project and the queue",
      labels: ['alertname=NetnsInterfaceFlapping', 'severity=warning', 'scope=namespace', 'instance=n1:9100', PROJECT],
      receivers: 'project-example,netns-warning',
    },
    {
      name: 'another project is not the example project',
      labels: ['alertname=NetnsRouterGatewayDown', 'severity=critical', 'scope=router', 'project_id=ffffffffffffffffffffffffffffffff'],
      receivers: 'netns-critical',
    },
  ];

  /** The routes amtool matched, each as its matchers and depth (`{scope="router"}@1`). */
  const matchedRoutes = (tree: string): string[] =>
    tree
      .split('\n')
      .map((line) => /^(.*?)(default-route|\{.*?\})/.exec(line))
      .filter((match) => match !== null)
      .map((match) => `${match[2]}@${Math.round(match[1]!.length / 4) - 1}`);

  const reached = new Set<string>();
  for (const c of cases) {
    test(`routes: ${c.name}`, async () => {
      const result = await amtool([
        'config',
        'routes',
        'test',
        `--config.file=${CONFIG}`,
        '--tree',
        `--verify.receivers=${c.receivers}`,
        ...c.labels,
      ]);
      expect(result.exitCode, result.all).toBe(0);
      for (const route of matchedRoutes(result.stdout)) reached.add(route);
    });
  }

  test('the cases above reach every route of the tree', async () => {
    const shown = await amtool(['config', 'routes', 'show', `--config.file=${CONFIG}`]);
    const routes = matchedRoutes(shown.stdout);
    expect(routes.length).toBe(allRoutes(config.route).length);
    expect(
      routes.filter((route) => !reached.has(route)),
      'routes no case reaches',
    ).toEqual([]);
  });

  test('every shipped alert reaches the receiver its severity says', async () => {
    expect(shippedAlerts.length).toBeGreaterThan(10);
    for (const { alert, labels } of shippedAlerts) {
      const receiver = labels.severity === 'critical' ? 'netns-critical' : 'netns-warning';
      const args = [`alertname=${alert}`, ...Object.entries(labels).map(([name, value]) => `${name}=${value}`)];
      const result = await amtool(['config', 'routes', 'test', `--config.file=${CONFIG}`, `--verify.receivers=${receiver}`, ...args]);
      expect(result.exitCode, `${alert}: ${result.all}`).toBe(0);
    }
  });
});

describe('the Alertmanager configuration matches the shipped rules', () => {
  const emitted = (label: string): Set<string> =>
    new Set(shippedAlerts.map((a) => (label === 'alertname' ? a.alert : a.labels[label])).filter((v): v is string => v !== undefined));

  test('every alert has a severity and a scope, and every alert but the exporter ones a symptom', () => {
    for (const { alert, labels } of shippedAlerts) {
      expect(['warning', 'critical'], alert).toContain(labels.severity);
      expect(['exporter', 'host', 'namespace', 'router'], alert).toContain(labels.scope);
      if (labels.scope !== 'exporter') expect(labels.symptom, alert).toMatch(/^[a-z_]+$/);
    }
  });

  test('every alertname, severity, scope and symptom the routes and inhibit rules name is one the rules emit', () => {
    const matchers = [
      ...allRoutes(config.route).flatMap(({ route }) => route.matchers ?? []),
      ...config.inhibit_rules.flatMap((rule) => [...rule.source_matchers, ...rule.target_matchers]),
    ];
    let checked = 0;
    for (const text of matchers) {
      const positive = matchedValues(text);
      if (!positive || !['alertname', 'severity', 'scope', 'symptom'].includes(positive.name)) continue;
      for (const value of positive.values) {
        checked++;
        expect([...emitted(positive.name)], `${text}: no shipped alert has ${positive.name}="${value}"`).toContain(value);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test('each inhibit rule has shipped alerts on both sides', () => {
    const matches = (alert: ShippedAlert, texts: readonly string[]) =>
      texts.every((text) => {
        const { name, op, value } = parseMatcher(text);
        const actual = name === 'alertname' ? alert.alert : (alert.labels[name] ?? '');
        const regex = new RegExp(`^(?:${value})$`);
        return op === '=' ? actual === value : op === '!=' ? actual !== value : op === '=~' ? regex.test(actual) : !regex.test(actual);
      });
    for (const rule of config.inhibit_rules) {
      const sources = shippedAlerts.filter((a) => matches(a, rule.source_matchers)).map((a) => a.alert);
      const targets = shippedAlerts.filter((a) => matches(a, rule.target_matchers)).map((a) => a.alert);
      expect(sources.length, `sources of ${JSON.stringify(rule.source_matchers)}`).toBeGreaterThan(0);
      expect(targets.length, `targets of ${JSON.stringify(rule.target_matchers)}`).toBeGreaterThan(0);
      // `equal` on `symptom` only makes sense when the two sides share a symptom.
      if (rule.equal.includes('symptom')) {
        const symptoms = (names: string[]) => new Set(shippedAlerts.filter((a) => names.includes(a.alert)).map((a) => a.labels.symptom));
        const shared = [...symptoms(sources)].filter((s) => symptoms(targets).has(s));
        expect(shared.length, `no symptom shared by ${sources.join(', ')} and ${targets.join(', ')}`).toBeGreaterThan(0);
      }
    }
  });

  test('every inhibit rule touches only netns-exporter alerts, and those are all of the shipped alerts', () => {
    for (const rule of config.inhibit_rules) {
      for (const side of [rule.source_matchers, rule.target_matchers]) {
        expect(
          side.some((text) => text === OURS || /^alertname="Netns[A-Za-z]+"$/.test(text)),
          JSON.stringify(side),
        ).toBe(true);
      }
    }
    for (const { alert } of shippedAlerts) expect(alert).toMatch(/^Netns.+$/);
  });

  test('every inhibit rule compares cluster, so one cluster never mutes another', () => {
    for (const rule of config.inhibit_rules) expect(rule.equal, JSON.stringify(rule.source_matchers)).toContain('cluster');
  });

  test('router-wide alerts are grouped by router, not by the instance they do not have', () => {
    const routerRoute = config.route.routes?.find((route) => route.matchers?.includes('scope="router"'));
    expect(routerRoute?.group_by).toEqual(['cluster', 'alertname', 'id']);
    expect(config.route.group_by).toEqual(['cluster', 'instance', 'alertname']);
    for (const { alert, labels } of shippedAlerts.filter((a) => a.labels.scope === 'router'))
      expect(labels, alert).not.toHaveProperty('instance');
  });

  test('the receivers send nowhere real: every URL is a placeholder under example.com', () => {
    const urls = config.receivers.flatMap((receiver) => (receiver.webhook_configs ?? []).map((w) => w.url));
    expect(urls.length).toBe(config.receivers.length);
    for (const url of urls) expect(new URL(url).hostname).toMatch(/(^|\.)example\.com$/);
  });
});
