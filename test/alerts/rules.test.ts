// The alert rules pass promtool's own checks and unit tests, and those unit tests cover every
// alert both firing and silent.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import {
  alertConfig,
  buildAlertingRules,
  buildRecordingRules,
  IDENTITY_RECORD,
  NAMES_RECORD,
  withDurations,
} from '../../src/alerting/rules.js';
import { OPENSTACK_ROUTER_RECORD } from '../../src/alerting/promql.js';
import { skipUnless } from '../support/gates.js';

const rulesDir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES_FILE = 'netns-exporter.rules.yml';
const TESTS_FILE = 'netns-exporter.rules.test.yml';

interface RulesFile {
  groups: {
    name: string;
    rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  }[];
}
interface RuleTestsFile {
  rule_files: string[];
  tests: {
    name: string;
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: { exp_labels?: Record<string, string> }[] }[];
  }[];
}

const readYaml = async <T>(file: string): Promise<T> => parse(await readFile(`${rulesDir}${file}`, 'utf8')) as T;

const promtoolMissing = execaSync('promtool', ['--version'], { reject: false }).exitCode !== 0;

describe.skipIf(skipUnless(!promtoolMissing, 'promtool check rules / test rules', 'promtool not found (apt install prometheus)'))(
  'promtool',
  () => {
    test(`check rules ${RULES_FILE}`, async () => {
      const result = await execa('promtool', ['check', 'rules', RULES_FILE], { cwd: rulesDir, reject: false, all: true });
      expect(result.exitCode, result.all).toBe(0);
    });

    test(`test rules ${TESTS_FILE}`, async () => {
      const result = await execa('promtool', ['test', 'rules', TESTS_FILE], { cwd: rulesDir, reject: false, all: true });
      expect(result.exitCode, result.all).toBe(0);
    });
  },
);

describe('rule unit tests cover every alert', async () => {
  const rulesFile = await readYaml<RulesFile>(RULES_FILE);
  const testsFile = await readYaml<RuleTestsFile>(TESTS_FILE);
  const rules = rulesFile.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
  const cases = testsFile.tests.flatMap((t) => (t.alert_rule_test ?? []).map((c) => ({ ...c, test: t.name })));

  test('the tests load the shipped rules file', () => {
    expect(testsFile.rule_files).toEqual([RULES_FILE]);
    expect(rules.length).toBeGreaterThanOrEqual(12);
  });

  for (const rule of rules) {
    test(`${rule.alert} has a firing case and a silent case`, () => {
      const own = cases.filter((c) => c.alertname === rule.alert);
      expect(own.filter((c) => (c.exp_alerts ?? []).length > 0).length, 'firing cases').toBeGreaterThan(0);
      expect(own.filter((c) => (c.exp_alerts ?? []).length === 0).length, 'silent cases').toBeGreaterThan(0);
    });
  }

  test('every test case names an alert that exists', () => {
    const names = new Set(rules.map((r) => r.alert));
    for (const c of cases) expect(names.has(c.alertname), `${c.test}: ${c.alertname}`).toBe(true);
  });

  test('alerts carry the labels of their scope, and no name that can change while a fault lasts', () => {
    // docs/runbook.md and deploy/alertmanager rely on these: host and namespace alerts have the
    // instance (inhibited while its exporter is down), router alerts have none (decided across hosts).
    const byScope: Record<string, { has: string[]; not: string[] }> = {
      exporter: { has: ['job'], not: ['netns', 'id'] },
      host: { has: ['job', 'instance'], not: ['netns', 'id'] },
      namespace: { has: ['job', 'instance', 'netns', 'kind', 'id'], not: [] },
      router: { has: ['id', 'kind'], not: ['instance', 'job', 'netns'] },
    };
    let checked = 0;
    for (const rule of rules) {
      const scope = rule.labels?.scope ?? '';
      expect(Object.keys(byScope), `${rule.alert} scope`).toContain(scope);
      expect(rule.labels?.symptom, `${rule.alert} symptom`).toMatch(/^[a-z_]+$/);
      const device =
        scope !== 'exporter' && scope !== 'host' && /netns_network_|netns_neighbor_/.test(rule.expr) && !rule.alert!.includes('conntrack');
      for (const c of cases.filter((x) => x.alertname === rule.alert)) {
        for (const alert of c.exp_alerts ?? []) {
          checked++;
          const labels = alert.exp_labels ?? {};
          expect(labels.scope, `${c.test}: ${rule.alert}`).toBe(scope);
          for (const label of [...byScope[scope]!.has, ...(device ? ['device'] : [])])
            expect(labels, `${c.test}: ${rule.alert}`).toHaveProperty(label);
          for (const label of [...byScope[scope]!.not, 'project', 'router_name'])
            expect(labels, `${c.test}: ${rule.alert}`).not.toHaveProperty(label);
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  test('a host alert shares its symptom with the namespace alerts it explains', () => {
    const symptoms = (scope: string) => new Set(rules.filter((r) => r.labels?.scope === scope).map((r) => r.labels!.symptom));
    const namespace = symptoms('namespace');
    for (const symptom of ['errors', 'drops', 'gateway_unreachable']) {
      expect(symptoms('host').has(symptom), symptom).toBe(true);
      expect(namespace.has(symptom), symptom).toBe(true);
    }
  });

  test('only tenant-visible outages are critical', () => {
    const critical = rules
      .filter((r) => r.labels?.severity === 'critical')
      .map((r) => r.alert)
      .sort();
    expect(critical).toEqual([
      'NetnsConntrackDrops',
      'NetnsConntrackTableNearlyFull',
      'NetnsHostGatewayUnreachable',
      'NetnsRouterGatewayDown',
      'NetnsRouterGatewayUnreachable',
      'NetnsRouterHASplitBrain',
    ]);
  });

  test('every alert links its runbook section in docs/runbook.md and a dashboard', () => {
    const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
    const sections = new Set([...runbook.matchAll(/^## (\w+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const rule of rules) {
      expect(rule.annotations?.runbook_url, rule.alert).toBe(`${alertConfig.runbookUrl}#${rule.alert!.toLowerCase()}`);
      expect(sections.has(rule.alert!.toLowerCase()), `docs/runbook.md has no "## ${rule.alert}" section`).toBe(true);
      expect(rule.annotations?.dashboard_url, rule.alert).toMatch(/^.*\/d\/netns-(tenant-router|fleet-overview)\//);
      // A router-wide alert opens the router on all its hosts: no instance to fill in.
      if (rule.labels?.scope === 'router') expect(rule.annotations?.dashboard_url, rule.alert).not.toContain('var-instance');
    }
    // Each section says what the alert means, how to confirm it on the host and what to do.
    for (const section of runbook.split(/^## /m).slice(1)) {
      const name = section.split('\n')[0]!;
      for (const heading of ['**Meaning**', '**Confirm**', '**Action**']) expect(section, `${name}: ${heading}`).toContain(heading);
    }
  });
});

describe('rule definitions', () => {
  const rules = buildAlertingRules();

  test('each has a severity, a summary and a description stating the value', () => {
    for (const rule of rules) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description, rule.alert).toMatch(/\{\{ \$value( \| humanize(Percentage)?)? \}\}/);
    }
  });

  test('alert names are unique', () => {
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test('the selector in the config reaches every metric of every rule', () => {
    const config = { ...alertConfig, selector: 'job="netns", env="prod"' };
    const changed = [...buildAlertingRules(config), ...buildRecordingRules(config)];
    let checked = 0;
    for (const rule of changed) {
      const name = 'alert' in rule ? rule.alert : rule.record;
      expect(rule.expr, name).not.toContain('netns-exporter');
      for (const m of rule.expr.matchAll(/([a-z_:]+)\{([^}]*)\}/g)) {
        // Recorded series (level:metric:operation) carry the selector already; openstack-exporter is another job.
        if (m[1]!.includes(':') || m[1]!.startsWith('openstack_')) continue;
        checked++;
        expect(m[2], `${name}: ${m[1]}`).toMatch(/^job="netns", env="prod"/);
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  test('joins onto netns_info and openstack_neutron_router are guarded against duplicates', () => {
    const records = new Map(buildRecordingRules().map((r) => [r.record, r.expr]));
    expect(records.get(NAMES_RECORD)).toContain('topk by (cluster, job, instance, netns) (1, netns_info{job="netns-exporter"})');
    expect(records.get(NAMES_RECORD)).toContain(`topk by (id) (1, ${OPENSTACK_ROUTER_RECORD})`);
    expect(records.get(OPENSTACK_ROUTER_RECORD)).toMatch(
      /^topk by \(id\) \(1, openstack_neutron_router or on\(id\) last_over_time\(openstack_neutron_router\[1h\]\)\)$/,
    );
    expect(records.get(IDENTITY_RECORD)).toContain('max by (cluster, job, instance, netns, kind, id) (netns_info{job="netns-exporter"})');
    for (const rule of buildAlertingRules()) {
      // netns_info is joined only through the deduplicated records, never raw on the right of a group_left.
      expect(rule.expr, rule.alert).not.toMatch(/group_left\([^)]*\)\s*netns_info/);
    }
  });

  test('the cluster label is configurable', () => {
    const config = { ...alertConfig, clusterLabel: 'region' };
    for (const rule of [...buildAlertingRules(config), ...buildRecordingRules(config)]) {
      const name = 'alert' in rule ? rule.alert : rule.record;
      expect(rule.expr, name).not.toMatch(/\bcluster\b/);
      if ('alert' in rule) expect(Object.values(rule.annotations).join(' '), name).not.toMatch(/\bcluster\b/);
    }
    expect(buildAlertingRules(config).find((r) => r.alert === 'NetnsRouterGatewayDown')!.expr).toContain(
      'count by (region, id, kind, device)',
    );
  });

  test('the namespace selector picks what the namespace alerts cover', () => {
    const optIn = { ...alertConfig, namespaceSelector: 'kind=~"qrouter|snat|fip|qdhcp|other"' };
    const namespaceRules = buildAlertingRules(optIn).filter((r) => r.labels.scope === 'namespace');
    expect(namespaceRules.length).toBeGreaterThan(10);
    for (const rule of namespaceRules) expect(rule.expr, rule.alert).toContain(`${IDENTITY_RECORD}{kind=~"qrouter|snat|fip|qdhcp|other"}`);
  });

  test('thresholds and durations come from the config', () => {
    const changed = buildAlertingRules({
      ...alertConfig,
      conntrack: { warningRatio: 0.6, criticalRatio: 0.85, for: '2m' },
      interfaceErrors: { ...alertConfig.interfaceErrors, ratio: 0.05 },
    });
    const byName = new Map(changed.map((r) => [r.alert, r]));
    expect(byName.get('NetnsConntrackTableFilling')).toMatchObject({ for: '2m' });
    expect(byName.get('NetnsConntrackTableFilling')?.expr).toContain('> 0.6');
    expect(byName.get('NetnsConntrackTableFilling')?.annotations.description).toContain('threshold 60%');
    expect(byName.get('NetnsConntrackTableNearlyFull')?.expr).toContain('> 0.85');
    expect(byName.get('NetnsInterfaceReceiveErrorRatioHigh')?.expr).toContain('> 0.05');
    expect(byName.get('NetnsInterfaceReceiveErrorRatioHigh')?.annotations.description).toContain('threshold 5%');
  });

  test('withDurations shortens every for and rate window and keeps the thresholds', () => {
    const short = buildAlertingRules(withDurations(alertConfig, '0s', '5s'));
    const shipped = buildAlertingRules();
    for (const [i, rule] of short.entries()) {
      expect(rule.for, rule.alert).toBe('0s');
      expect(rule.expr, rule.alert).not.toMatch(/\[5m\]/);
      expect(rule.expr.replaceAll('[5s]', '[5m]'), rule.alert).toBe(shipped[i]!.expr);
    }
  });
});
