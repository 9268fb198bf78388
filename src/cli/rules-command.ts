// `netns-exporter rules`: writes the Prometheus rules file and the PrometheusRule for this site's
// selector, cluster label, URLs and thresholds, without touching the code. The thresholds file
// (YAML) overrides any field of the shipped configuration; flags override the file. Bad input is one
// line on stderr and exit code 2.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { stringify } from 'yaml';
import { alertConfig, type AlertConfig } from '../alerting/config.js';
import { AlertConfigError, applyOverrides } from '../alerting/config-overrides.js';
import { renderPrometheusRule, renderRulesFile } from '../alerting/render.js';
import { AlertConfigFileError, readAlertConfigFile } from './alert-config-file.js';

export const RULES_FILE_NAME = 'netns-exporter.rules.yml';
export const PROMETHEUS_RULE_FILE_NAME = 'prometheusrule.yaml';

class UsageError extends Error {}

interface RulesOptions {
  readonly selector?: string;
  readonly openstackSelector?: string;
  readonly clusterLabel?: string;
  readonly namespaceSelector?: string;
  readonly runbookUrl?: string;
  readonly grafanaUrl?: string;
  readonly config?: string;
  readonly outputDir?: string;
  readonly format?: 'rules' | 'prometheusrule';
  readonly prometheusruleName: string;
  readonly prometheusruleNamespace: string;
  readonly printConfig?: boolean;
}

function program(): Command {
  return new Command('netns-exporter rules')
    .description(
      'Write the alert and recording rules (a Prometheus rules file and a Prometheus Operator PrometheusRule) ' +
        'for your selector, URLs and thresholds. Without --output-dir or --format, prints the rules file.',
    )
    .option('--selector <matchers>', `PromQL matchers that pick the exporter's series (default ${alertConfig.selector})`)
    .option('--openstack-selector <matchers>', "matchers for openstack-exporter's openstack_neutron_router (default: any job)")
    .option('--cluster-label <name>', `label that tells clusters apart (default ${alertConfig.clusterLabel})`)
    .option('--namespace-selector <matchers>', `namespaces the per-namespace alerts cover (default ${alertConfig.namespaceSelector})`)
    .option('--runbook-url <url>', 'where docs/runbook.md is published')
    .option('--grafana-url <url>', 'base URL of the Grafana with the shipped dashboards')
    .option('--config <file>', 'YAML file overriding any field of the configuration (see --print-config)')
    .option('--output-dir <dir>', `write ${RULES_FILE_NAME} and ${PROMETHEUS_RULE_FILE_NAME} into this directory`)
    .addOption(new Option('--format <format>', 'print one file to stdout').choices(['rules', 'prometheusrule']))
    .option('--prometheusrule-name <name>', 'metadata.name of the PrometheusRule', 'netns-exporter')
    .option('--prometheusrule-namespace <namespace>', 'metadata.namespace of the PrometheusRule', 'monitoring')
    .option('--print-config', 'print the resulting configuration as YAML (a start for a --config file) and exit')
    .helpOption('-h, --help')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
}

async function configFrom(options: RulesOptions): Promise<AlertConfig> {
  let config: AlertConfig;
  try {
    config = await readAlertConfigFile(options.config, '--config');
  } catch (error) {
    if (error instanceof AlertConfigFileError) throw new UsageError(error.message);
    throw error;
  }
  const flags: Record<string, string | undefined> = {
    selector: options.selector,
    openstackSelector: options.openstackSelector,
    clusterLabel: options.clusterLabel,
    namespaceSelector: options.namespaceSelector,
    runbookUrl: options.runbookUrl,
    grafanaUrl: options.grafanaUrl,
  };
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    try {
      config = applyOverrides(config, { [key]: value });
    } catch (error) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      if (error instanceof AlertConfigError) throw new UsageError(`${flag}: ${error.message.slice(key.length + 2)}`);
      throw error;
    }
  }
  return config;
}

/** Runs `netns-exporter rules` with `argv` (the arguments after `rules`); resolves to the exit code. */
export async function runRulesCommand(argv: readonly string[]): Promise<number> {
  const command = program();
  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, already printed
      process.stderr.write(`netns-exporter rules: ${error.message.replace(/^error: /, '')}\n`);
      return 2;
    }
    throw error;
  }
  const options = command.opts<RulesOptions>();
  try {
    const config = await configFrom(options);
    if (options.printConfig) {
      process.stdout.write(stringify(config, { lineWidth: 0 }));
      return 0;
    }
    const prometheusRule = (): string =>
      renderPrometheusRule(config, { name: options.prometheusruleName, namespace: options.prometheusruleNamespace });
    if (options.outputDir !== undefined) {
      try {
        await mkdir(options.outputDir, { recursive: true });
        await writeFile(join(options.outputDir, RULES_FILE_NAME), renderRulesFile(config));
        await writeFile(join(options.outputDir, PROMETHEUS_RULE_FILE_NAME), prometheusRule());
      } catch (error) {
        process.stderr.write(`netns-exporter rules: cannot write into --output-dir ${options.outputDir}: ${(error as Error).message}\n`);
        return 1;
      }
      process.stderr.write(
        `netns-exporter rules: wrote ${join(options.outputDir, RULES_FILE_NAME)} and ${join(options.outputDir, PROMETHEUS_RULE_FILE_NAME)}\n`,
      );
    }
    if (options.format !== undefined || options.outputDir === undefined) {
      process.stdout.write(options.format === 'prometheusrule' ? prometheusRule() : renderRulesFile(config));
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`netns-exporter rules: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
