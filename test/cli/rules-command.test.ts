// `netns-exporter rules` as shipped: the built binary writes the committed files for the defaults,
// applies a thresholds file and flags, and refuses a bad file with one line and exit code 2.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { builtMain } from '../support/built.js';
import { skipUnless } from '../support/gates.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const committedRules = join(repo, 'deploy/prometheus/netns-exporter.rules.yml');
const committedPrometheusRule = join(repo, 'deploy/kubernetes/prometheusrule.yaml');
const rules = (...args: string[]) => execa('node', [builtMain, 'rules', ...args], { reject: false });

interface RulesFile {
  groups: {
    rules: {
      alert?: string;
      record?: string;
      expr: string;
      for?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }[];
  }[];
}
const alerts = (text: string) =>
  new Map(
    (parse(text) as RulesFile).groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert)
      .map((r) => [r.alert!, r]),
  );

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netns-rules-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('netns-exporter rules', () => {
  test('without flags it writes exactly the committed rules file and PrometheusRule', async () => {
    const out = join(dir, 'defaults');
    const result = await rules('--output-dir', out);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(join(out, 'netns-exporter.rules.yml'), 'utf8')).toBe(await readFile(committedRules, 'utf8'));
    expect(await readFile(join(out, 'prometheusrule.yaml'), 'utf8')).toBe(await readFile(committedPrometheusRule, 'utf8'));
    const stdout = await rules('--format', 'prometheusrule');
    expect(stdout.stdout + '\n').toBe(await readFile(committedPrometheusRule, 'utf8'));
  });

  test('a thresholds file and flags change what they name, and nothing else', async () => {
    const config = join(dir, 'thresholds.yaml');
    await writeFile(
      config,
      'clusterLabel: region\nconntrack:\n  criticalRatio: 0.95\nhostRollup:\n  minRouters: 5\nexporterDown:\n  for: 10m\n',
    );
    const result = await rules(
      '--config',
      config,
      '--selector',
      'job="netns"',
      '--runbook-url',
      'https://wiki.example.org/rb',
      '--grafana-url',
      'https://g.example.org',
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const changed = alerts(result.stdout);
    const shipped = alerts(await readFile(committedRules, 'utf8'));
    expect([...changed.keys()]).toEqual([...shipped.keys()]);
    expect(changed.get('NetnsConntrackTableNearlyFull')!.expr).toContain('> 0.95');
    expect(changed.get('NetnsHostGatewayUnreachable')!.expr).toContain('>= 5');
    expect(changed.get('NetnsExporterDown')!.for).toBe('10m');
    expect(changed.get('NetnsExporterDown')!.expr).toBe('up{job="netns"} == 0');
    expect(changed.get('NetnsRouterGatewayDown')!.expr).toContain('count by (region, id, kind, device)');
    expect(result.stdout).not.toMatch(/\bcluster\b|netns-exporter"|example\.com/);
    expect(changed.get('NetnsRouterGatewayDown')!.annotations!.runbook_url).toBe('https://wiki.example.org/rb#netnsroutergatewaydown');
    // Untouched thresholds stay the shipped ones.
    expect(changed.get('NetnsConntrackTableFilling')!.expr).toContain('> 0.75');
  });

  test.skipIf(
    skipUnless(
      execaSync('promtool', ['--version'], { reject: false }).exitCode === 0,
      'promtool check of the generated example',
      'promtool not found',
    ),
  )('the shipped example thresholds file generates rules promtool accepts', async () => {
    const out = join(dir, 'example');
    const result = await rules('--config', join(repo, 'deploy/prometheus/thresholds.example.yaml'), '--output-dir', out);
    expect(result.exitCode, result.stderr).toBe(0);
    const check = await execa('promtool', ['check', 'rules', join(out, 'netns-exporter.rules.yml')], { reject: false, all: true });
    expect(check.exitCode, check.all).toBe(0);
  });

  const bad: { name: string; file?: string; args?: string[]; message: RegExp }[] = [
    { name: 'an unknown key', file: 'hostRollup:\n  minRouterz: 4\n', message: /hostRollup\.minRouterz: unknown key/ },
    {
      name: 'a wrong type',
      file: 'conntrack:\n  warningRatio: high\n',
      message: /conntrack\.warningRatio: expected a number, got a string/,
    },
    { name: 'a mapping where a value goes', file: 'selector:\n  job: netns\n', message: /selector: expected a string, got a mapping/ },
    {
      name: 'a bad duration',
      file: 'gatewayDown:\n  for: 5 minutes\n',
      message: /gatewayDown\.for: "5 minutes" is not a Prometheus duration/,
    },
    { name: 'a bad severity', file: 'exporterDown:\n  severity: page\n', message: /exporterDown\.severity: expected warning or critical/ },
    { name: 'broken YAML', file: 'conntrack: [\n', message: /not valid YAML/ },
    { name: 'a list at the top', file: '- 1\n', message: /expected a mapping of configuration keys, got a list/ },
    {
      name: 'a missing file',
      args: ['--config', '/nonexistent/thresholds.yaml'],
      message: /cannot read --config \/nonexistent\/thresholds\.yaml: ENOENT/,
    },
    { name: 'a bad cluster label flag', args: ['--cluster-label', 'a-b'], message: /--cluster-label: "a-b" is not a label name/ },
    { name: 'an unknown flag', args: ['--thresholds', 'x'], message: /unknown option '--thresholds'/ },
  ];
  for (const c of bad) {
    test(`${c.name} exits 2 with one line saying why`, async () => {
      let args = c.args ?? [];
      if (c.file !== undefined) {
        const path = join(dir, `${c.name.replace(/\W+/g, '-')}.yaml`);
        await writeFile(path, c.file);
        args = ['--config', path];
      }
      const result = await rules(...args, '--output-dir', join(dir, 'never'));
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^netns-exporter rules: /);
      expect(result.stderr).toMatch(c.message);
    });
  }
});
