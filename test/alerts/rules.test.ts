// The alert rules pass promtool's own checks and unit tests, and those unit tests cover every
// alert both firing and silent.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { alertConfig, buildAlertingRules, buildRecordingRules, NAMES_RECORD, withDurations } from '../../src/alerting/rules.js';
import { skipUnless } from '../support/gates.js';

const rulesDir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES_FILE = 'netns-exporter.rules.yml';
const TESTS_FILE = 'netns-exporter.rules.test.yml';

interface RulesFile {
  groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
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

describe.skipIf(skipUnless(!promtoolMissing, 'promtool check rules / test rules', 'promtool not found (apt install prometheus)'))('promtool', () => {
  test(`check rules ${RULES_FILE}`, async () => {
    const result = await execa('promtool', ['check', 'rules', RULES_FILE], { cwd: rulesDir, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
  });

  test(`test rules ${TESTS_FILE}`, async () => {
    const result = await execa('promtool', ['test', 'rules', TESTS_FILE], { cwd: rulesDir, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
  });
});

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

  test('alerts about an interface carry netns and device; about a namespace netns, kind and id; about a router kind and id', () => {
    let checked = 0;
    for (const rule of rules) {
      const perNamespace = rule.expr.includes(`group_left(kind, id`) && rule.expr.includes(NAMES_RECORD);
      const perRouter = rule.expr.includes('count by (cluster, id)');
      const labels = perRouter
        ? ['id', 'kind']
        : perNamespace
          ? /netns_network_|netns_neighbor_/.test(rule.expr)
            ? ['netns', 'device', 'kind', 'id']
            : ['netns', 'kind', 'id']
          : [];
      if (/netns_(network|nf_conntrack|neighbor|router_ha)/.test(rule.expr)) expect(labels.length, `${rule.alert} is about a namespace or router`).toBeGreaterThan(0);
      for (const c of cases.filter((x) => x.alertname === rule.alert)) {
        for (const alert of c.exp_alerts ?? []) {
          checked++;
          for (const label of labels) expect(alert.exp_labels ?? {}, `${c.test}: ${rule.alert}`).toHaveProperty(label);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  test('every alert links its runbook section in docs/runbook.md and a dashboard', () => {
    const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
    const sections = new Set([...runbook.matchAll(/^## (\w+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const rule of rules) {
      expect(rule.annotations?.runbook_url, rule.alert).toBe(`${alertConfig.runbookUrl}#${rule.alert!.toLowerCase()}`);
      expect(sections.has(rule.alert!.toLowerCase()), `docs/runbook.md has no "## ${rule.alert}" section`).toBe(true);
      expect(rule.annotations?.dashboard_url, rule.alert).toMatch(/^.*\/d\/netns-(tenant-router|fleet-overview)\//);
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
      // The gateway alert's value is the operstate, which is a label.
      expect(rule.annotations.description, rule.alert).toMatch(/\{\{ \$value( \| humanize(Percentage)?)? \}\}|\$labels\.operstate/);
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
        // The names record carries the selector already; openstack-exporter is another job.
        if (m[1] === NAMES_RECORD || m[1]!.startsWith('openstack_')) continue;
        checked++;
        expect(m[2], `${name}: ${m[1]}`).toMatch(/^job="netns", env="prod"/);
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  test('joins onto netns_info and openstack_neutron_router are guarded against duplicates', () => {
    const [names] = buildRecordingRules();
    expect(names!.record).toBe(NAMES_RECORD);
    expect(names!.expr).toContain('topk by (cluster, job, instance, netns) (1, netns_info{job="netns-exporter"})');
    expect(names!.expr).toContain('topk by (id) (1, openstack_neutron_router)');
    expect(names!.expr).not.toMatch(/netns_info\{[^}]*\}\)?\s*$/);
    for (const rule of buildAlertingRules()) {
      // netns_info is joined only through the deduplicated record, never raw on the right of a group_left.
      expect(rule.expr, rule.alert).not.toMatch(/group_left\([^)]*\)\s*netns_info/);
    }
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
