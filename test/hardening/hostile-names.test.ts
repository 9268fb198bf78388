// Hostile names: namespaces, interfaces and iptables comments holding spaces, quotes, backslashes,
// shell syntax, UTF-8, newlines and the longest names the kernel takes. They must never run as
// code, must come out of the exposition exactly as they went in, and must survive a real
// Prometheus: scraped, stored, and found again by exact label value.
//
// What the kernel and iproute2 allow (iproute2 6.1, Linux 6.x, checked on this machine):
// - namespace names are file names under /run/netns: any bytes but '/' and NUL, at most 255 bytes
//   (`ip netns add` refuses 256 with "Invalid netns name"); spaces, tabs and newlines are accepted.
// - interface names: at most 15 bytes (IFNAMSIZ), no '/', ':' or whitespace, and '%' only as a
//   `%d` template (dev_valid_name, dev_get_valid_name); the kernel's ctype counts 0xA0 as space,
//   so UTF-8 characters with that byte (U+00E0 'à', C3 A0) are refused too.
// - iptables comments: up to 255 bytes, any bytes (newlines included; iptables-save then continues
//   the rule on the next line, which the parser handles).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { parseExposition, select, type ParsedSeries } from '../support/exposition.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

// If any name were ever run by a shell, one of these files would appear (relative names: a
// namespace name cannot hold '/'; a shell would create them in its working directory).
const MARKER = `nxt-pwned-${randomBytes(4).toString('hex')}`;
const SHORT_MARKER = 'nxtpwnd'; // fits an interface name

const NETNS_SUFFIXES = [
  'sp ace',
  'dq"uote',
  "sq'uote",
  'back\\slash',
  'trailing\\',
  `$(touch ${MARKER})`,
  `\`touch ${MARKER}\``,
  `;touch ${MARKER};|&`,
  'ünï€😀',
  'new\nline',
  'tab\tx',
  '{a="b"} 1\n# HELP x',
];

const DEVICES = ['q"d\'\\', `$(>${SHORT_MARKER})`, `\`>${SHORT_MARKER}\``, 'ü😀é€', '{x="y"}', ';a|b&c>d', '<i>&amp;', '123456789012345'];

const COMMENTS = [
  'sp ace "dq" \'sq\' \\back\\slash',
  `$(touch ${MARKER}) \`touch ${MARKER}\``,
  'ünï€😀',
  'new\nline',
  'tab\tx',
  '-A INPUT -j DROP',
  '[1:2] -A x',
  '"',
  '\\',
  'c'.repeat(255),
  '{a="b"} 1\nnetns_info{netns="x"} 1',
];

// A newline followed by text that starts like a line of its own in iptables-save output ('#', '-A ',
// '[', ':', '*', COMMIT). iptables-save prints the comment as is, so the text is ambiguous and the
// text parser (src/parsers/iptables-save.ts) must know a quoted comment continues across such lines.
const AMBIGUOUS_COMMENTS = ['a\n# TYPE x counter', 'b\n-A INPUT -j DROP', 'c\n[1:2] -A x', 'd\nCOMMIT'];

/** A PromQL double-quoted string literal (Go escapes) holding exactly `value`. */
function promqlString(value: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => escapes[c] as string)}"`;
}

function markersFound(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) => [MARKER, SHORT_MARKER].map((name) => join(dir, name))).filter((path) => existsSync(path));
}

// Both backends: exec hands names to nsenter as arguments and parses tool output; native opens
// namespace paths itself and reads names and comments from netlink.
const BACKENDS = ['native', 'exec'] as const;
type Backend = (typeof BACKENDS)[number];

describe.skipIf(skipUnlessRoot('hostile name tests'))('hostile names', () => {
  let lab: NetnsLab;
  const exporters = new Map<Backend, ExporterProcess>();
  let prometheus: PrometheusServer | undefined;
  let names: string[];
  let host: string; // the namespace holding the hostile interfaces and rules
  const scrapes = new Map<Backend, ParsedSeries[]>();
  let markerDirs: string[];

  beforeAll(async () => {
    lab = await createNetnsLab('hostile');
    const longest = `${'x'.repeat((255 - Buffer.byteLength(lab.prefix)) % 3)}${'€'.repeat(Math.floor((255 - Buffer.byteLength(lab.prefix)) / 3))}`;
    names = [];
    for (const suffix of [...NETNS_SUFFIXES, longest]) names.push(await lab.addNamespace(suffix));
    expect(Buffer.byteLength(names[names.length - 1] as string)).toBe(255);
    host = names[1] as string;
    for (const [i, dev] of DEVICES.entries()) await lab.vethPair({ ns: host, dev }, { ns: host, dev: `peer${i}` });
    for (const comment of COMMENTS) {
      await lab.run(host, ['iptables', '-A', 'INPUT', '-p', 'udp', '-m', 'comment', '--comment', comment, '-j', 'ACCEPT']);
    }
    for (const comment of AMBIGUOUS_COMMENTS) {
      await lab.run(names[0] as string, ['iptables', '-A', 'INPUT', '-m', 'comment', '--comment', comment, '-j', 'ACCEPT']);
    }
    markerDirs = [process.cwd(), '/', '/tmp'];
    expect(markersFound(markerDirs)).toEqual([]);
    for (const backend of BACKENDS) {
      const exporter = await startExporter([
        `--netns.include=^${lab.prefix}`,
        '--no-netns.scan-processes',
        `--collector.backend=${backend}`,
      ]);
      exporters.set(backend, exporter);
      markerDirs.push(`/proc/${exporter.child.pid}/cwd`);
      scrapes.set(backend, parseExposition(await (await fetch(`http://${exporter.address}/metrics`)).text()));
    }
  });
  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all([...exporters.values()].map((exporter) => exporter.stop()));
    await lab?.cleanup();
  });

  test('the kernel refuses a 256-byte namespace name, so 255 is the longest to test', async () => {
    await expect(lab.addNamespace('y'.repeat(256 - Buffer.byteLength(lab.prefix)))).rejects.toThrow(/Invalid netns name/);
  });

  test('nothing was executed', () => {
    expect(markersFound(markerDirs)).toEqual([]);
  });

  test.each(BACKENDS)('namespace names come back exactly, each once, fully read (%s)', (backend) => {
    const series = scrapes.get(backend) as ParsedSeries[];
    const reported = select(series, 'netns_info').map((s) => s.labels.netns);
    expect([...reported].sort()).toEqual([...names].sort());
    // names[0] holds the ambiguous comments (below); its interfaces and conntrack are still complete.
    for (const name of names.slice(1)) {
      for (const collector of ['interfaces', 'iptables', 'conntrack']) {
        expect(
          select(series, 'netns_collector_success', { netns: name, collector }).map((s) => s.value),
          `${JSON.stringify(name)} ${collector}`,
        ).toEqual([1]);
      }
    }
  });

  test.each(BACKENDS)('interface names come back exactly (%s)', (backend) => {
    const series = scrapes.get(backend) as ParsedSeries[];
    const devices = select(series, 'netns_network_mtu_bytes', { netns: host }).map((s) => s.labels.device);
    expect([...devices].sort()).toEqual(['lo', ...DEVICES, ...DEVICES.map((_, i) => `peer${i}`)].sort());
    for (const dev of DEVICES) {
      expect(
        select(series, 'netns_network_up', { netns: host, device: dev }).map((s) => s.value),
        dev,
      ).toEqual([1]);
    }
  });

  test.each(BACKENDS)('iptables comments come back exactly, on the right rule (%s)', (backend) => {
    const series = scrapes.get(backend) as ParsedSeries[];
    const rules = select(series, 'netns_iptables_rule_packets_total', {
      netns: host,
      backend: 'nft',
      family: 'ipv4',
      table: 'filter',
      chain: 'INPUT',
    });
    expect(rules.map((s) => [s.labels.rule, s.labels.comment])).toEqual(COMMENTS.map((comment, i) => [String(i + 1), comment]));
  });

  const ambiguousCommentsComeBack = (backend: Backend) => {
    const series = scrapes.get(backend) as ParsedSeries[];
    const ambiguous = names[0] as string;
    expect(select(series, 'netns_collector_success', { netns: ambiguous, collector: 'iptables' }).map((s) => s.value)).toEqual([1]);
    const rules = select(series, 'netns_iptables_rule_packets_total', { netns: ambiguous, family: 'ipv4', chain: 'INPUT' });
    expect(rules.map((s) => s.labels.comment)).toEqual(AMBIGUOUS_COMMENTS);
  };
  test('comments whose newline is followed by something that looks like an iptables-save line (native)', () =>
    ambiguousCommentsComeBack('native'));
  // iptables-save prints the newline as is; the text parser keeps a quoted comment going across lines.
  test('comments whose newline is followed by something that looks like an iptables-save line (exec)', () =>
    ambiguousCommentsComeBack('exec'));

  test('a real Prometheus stores them and finds each by its exact label value', { timeout: 60_000 }, async () => {
    const targets = BACKENDS.map((backend) => (exporters.get(backend) as ExporterProcess).address);
    prometheus = await startPrometheus({ job: 'hostile', targets, scrapeIntervalSeconds: 5, scrapeTimeoutSeconds: 5 });
    await prometheus.waitFor('count(up{job="hostile"}) == 2', 30_000);
    // up is 0 when Prometheus rejected the exposition (a bad escape would do that).
    expect((await prometheus.query('up{job="hostile"}')).map((r) => r.value[1])).toEqual(['1', '1']);

    // Each query must find exactly one series per exporter, with the label exactly as made.
    const instances = (found: { metric: Record<string, string> }[]) => found.map((r) => r.metric.instance).sort();
    for (const name of names) {
      const found = await prometheus.query(`netns_info{netns=${promqlString(name)}}`);
      expect(instances(found), JSON.stringify(name)).toEqual([...targets].sort());
      expect(
        found.map((r) => r.metric.netns),
        JSON.stringify(name),
      ).toEqual([name, name]);
    }
    for (const dev of DEVICES) {
      const found = await prometheus.query(`netns_network_mtu_bytes{netns=${promqlString(host)},device=${promqlString(dev)}}`);
      expect(instances(found), dev).toEqual([...targets].sort());
      expect(
        found.map((r) => r.metric.device),
        dev,
      ).toEqual([dev, dev]);
    }
    for (const [i, comment] of COMMENTS.entries()) {
      const found = await prometheus.query(
        `netns_iptables_rule_packets_total{netns=${promqlString(host)},family="ipv4",chain="INPUT",comment=${promqlString(comment)}}`,
      );
      expect(instances(found), JSON.stringify(comment)).toEqual([...targets].sort());
      expect(
        found.map((r) => [r.metric.rule, r.metric.comment]),
        JSON.stringify(comment),
      ).toEqual([
        [String(i + 1), comment],
        [String(i + 1), comment],
      ]);
    }
    expect(markersFound(markerDirs)).toEqual([]);
  });
});
