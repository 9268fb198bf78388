// Flag parsing in-process (every rule), plus the real binary for exit statuses and one-line errors.
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { DEFAULT_PORT, type ExporterConfig } from '../../src/model/config.js';
import { FlagError, parseFlags } from '../../src/cli/flags.js';
import { flagValue } from '../../src/collectors/flag.js';
import { deviceExcludeFlag } from '../../src/collectors/interfaces.js';
import { iptablesChainExcludeFlag, iptablesChainIncludeFlag, iptablesRulesFlag } from '../../src/collectors/iptables.js';
import { netstatFieldsFlag } from '../../src/collectors/netstat.js';
import { haConfsDirFlag } from '../../src/collectors/neutron-ha.js';
import { builtMain } from '../support/built.js';

const parse = (...argv: string[]) => parseFlags(argv, '9.9.9');

/** The collectors' own flags as their collectors read them (each collector file declares its own). */
const collectorFlags = (config: ExporterConfig) => {
  const values = config.collectorFlags;
  return {
    iptablesRules: flagValue(iptablesRulesFlag, values),
    iptablesChainInclude: flagValue(iptablesChainIncludeFlag, values),
    iptablesChainExclude: flagValue(iptablesChainExcludeFlag, values),
    netstatFields: flagValue(netstatFieldsFlag, values),
    haConfsDir: flagValue(haConfsDirFlag, values),
    deviceExclude: flagValue(deviceExcludeFlag, values),
  };
};

function flagError(argv: string[]): FlagError {
  try {
    parse(...argv);
  } catch (error) {
    if (error instanceof FlagError) return error;
    throw error;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('defaults', () => {
  const config = { ...parse(), ...collectorFlags(parse()) };
  test('listen on the documented port, all addresses', () => expect(config.listenAddress).toEqual({ host: undefined, port: DEFAULT_PORT }));
  test('all collectors, per-rule series, /run/netns, processes scanned, host left out', () => {
    expect(config.collectors).toEqual([
      'interfaces',
      'iptables',
      'conntrack',
      'carrier_changes',
      'conntrack_stat',
      'netstat',
      'sockstat',
      'neighbor',
      'neutron_ha',
      'processes',
    ]);
    expect(config.iptablesRules).toBe(true);
    expect(config.iptablesChainInclude).toBeUndefined();
    expect(config.parallelism).toBeUndefined(); // the backend's own depth
    expect(config.haConfsDir).toBe('/var/lib/neutron/ha_confs');
    // the router field set, matched whole as node_exporter matches --collector.netstat.fields
    expect(config.netstatFields.test('Ip_ForwDatagrams')).toBe(true);
    expect(config.netstatFields.test('Ip_InDiscards')).toBe(true);
    expect(config.netstatFields.test('Ip_DefaultTTL')).toBe(false);
    expect(config.netstatFields.test('xIp_ForwDatagrams')).toBe(false);
    expect(config.netnsDirs).toEqual(['/run/netns']);
    expect(config.scanProcesses).toBe(true);
    expect(config.includeHost).toBe(false);
    expect(config.timeoutMs).toBe(10_000);
    expect(config.telemetryPath).toBe('/metrics');
    expect(config.backend).toBe('auto');
    expect(config.once).toBe(false);
  });
});

test('switches and values', () => {
  const parsed = parse(
    '--web.listen-address=127.0.0.1:9999',
    '--no-collector.iptables',
    '--no-collector.iptables.rules',
    '--no-collector.netstat',
    '--no-collector.sockstat',
    '--no-collector.conntrack_stat',
    '--no-collector.neighbor',
    '--no-collector.carrier_changes',
    '--no-collector.neutron_ha',
    '--no-collector.processes',
    '--iptables.chain.include=^neutron-',
    '--iptables.chain.exclude=-snat$',
    '--collector.netstat.fields=Tcp_.*',
    '--neutron.ha-confs-dir=/srv/ha',
    '--netns.dir',
    '/run/netns',
    '--netns.dir=/run/docker/netns',
    '--no-netns.scan-processes',
    '--netns.include-host',
    '--netns.include=^qrouter-',
    '--device.exclude=^lo$',
    '--collector.timeout=1500ms',
    '--collector.parallelism=3',
    '--collector.max-series=1000',
    '--collector.backend=exec',
    '--log.level=debug',
    '--once',
  );
  const config = { ...parsed, ...collectorFlags(parsed) };
  expect(config.listenAddress).toEqual({ host: '127.0.0.1', port: 9999 });
  expect(config.collectors).toEqual(['interfaces', 'conntrack']);
  expect(config.iptablesRules).toBe(false);
  expect(config.iptablesChainInclude?.test('neutron-l3-agent-INPUT')).toBe(true);
  expect(config.iptablesChainExclude?.test('neutron-l3-agent-snat')).toBe(true);
  expect(config.netstatFields.test('Tcp_RetransSegs')).toBe(true);
  expect(config.netstatFields.test('Udp_InErrors')).toBe(false);
  expect(config.haConfsDir).toBe('/srv/ha');
  expect(config.netnsDirs).toEqual(['/run/netns', '/run/docker/netns']);
  expect(config.scanProcesses).toBe(false);
  expect(config.includeHost).toBe(true);
  expect(config.netnsInclude?.test('qrouter-1')).toBe(true);
  expect(config.netnsInclude?.test('qdhcp-1')).toBe(false);
  expect(config.deviceExclude?.test('lo')).toBe(true);
  expect(config.timeoutMs).toBe(1500);
  expect(config.parallelism).toBe(3);
  expect(config.maxSeries).toBe(1000);
  expect(config.backend).toBe('exec');
  expect(config.logLevel).toBe('debug');
  expect(config.once).toBe(true);
});

describe('bad flags are one line and status 2', () => {
  const cases: [string[], RegExp][] = [
    [['--nope'], /unknown option '--nope'/],
    [['--netns.include=('], /invalid regular expression for --netns\.include/],
    [['--device.exclude=[a-'], /invalid regular expression for --device\.exclude/],
    [['--collector.netstat.fields=Ip_(('], /invalid regular expression for --collector\.netstat\.fields/],
    [['--iptables.chain.include=*'], /invalid regular expression for --iptables\.chain\.include/],
    [['--collector.timeout=10'], /--collector\.timeout must be a duration/],
    [['--collector.parallelism=0'], /--collector\.parallelism must be a whole number of at least 1/],
    [['--web.max-requests=-1'], /--web\.max-requests must be a whole number/],
    [['--web.listen-address=9724'], /--web\.listen-address must be \[host\]:port/],
    [['--web.telemetry-path=metrics'], /--web\.telemetry-path must be a plain path/],
    [['--web.telemetry-path=/:x'], /--web\.telemetry-path must be a plain path/],
    [['--log.level=loud'], /log\.level/],
    [['--collector.backend=fast'], /collector\.backend/],
    [['stray'], /too many arguments/],
  ];
  for (const [argv, message] of cases) {
    test(argv.join(' '), () => {
      const error = flagError(argv);
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
    });
  }
});

describe('the binary', () => {
  test('--help lists every flag and exits 0', async () => {
    const result = await execa('node', [builtMain, '--help'], { reject: false });
    expect(result.exitCode).toBe(0);
    for (const flag of [
      '--web.listen-address',
      '--web.telemetry-path',
      '--web.max-requests',
      '--log.level',
      '--netns.dir',
      '--netns.include',
      '--netns.exclude',
      '--device.include',
      '--device.exclude',
      '--collector.interfaces',
      '--no-collector.iptables',
      '--no-collector.iptables.rules',
      '--collector.conntrack',
      '--collector.timeout',
      '--collector.backend',
      '--once',
      '--version',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(await (await import('node:fs/promises')).readFile('package.json', 'utf8')) as { version: string };
    const result = await execa('node', [builtMain, '--version']);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  test.each([
    [['--netns.include=('], /^netns-exporter: invalid regular expression for --netns\.include/],
    [['--bogus'], /^netns-exporter: unknown option '--bogus'$/],
  ])('%j exits 2 with one line on stderr', async (argv, message) => {
    const result = await execa('node', [builtMain, ...argv], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
  });

  test('a port in use is one line and status 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      // the exec backend: with the default (auto) a machine without the built addon logs a warning first
      const result = await execa('node', [builtMain, `--web.listen-address=127.0.0.1:${port}`, '--collector.backend=exec'], {
        reject: false,
        timeout: 10_000,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim()).toBe(`netns-exporter: cannot listen on 127.0.0.1:${port}: address already in use`);
    } finally {
      blocker.close();
    }
  });
});
