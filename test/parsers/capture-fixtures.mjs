#!/usr/bin/env node
// Captures the parser fixtures (test/fixtures/{proc-net-dev,ip-link,iptables-save}) from real
// commands on this machine, so the parser tests read what the kernel and the tools really print.
//
//   node test/parsers/capture-fixtures.mjs            # as root; writes into a fresh temp directory
//   node test/parsers/capture-fixtures.mjs --write    # as root; overwrites the committed fixtures
//
// Every command runs through execFileSync with an argument array: interface names, chain names and
// comments below hold quotes, '$', backslashes and UTF-8 on purpose, and must never meet a shell.
// The only `bash -c` scripts send test traffic and hold nothing but fixed addresses.
// Everything lives in namespaces named nxt-<6 hex>-..., deleted in `finally` even on failure.
// Hand-cut broken inputs are not made here; they are edited copies described in SOURCES.md.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const write = process.argv.includes('--write');
const fixturesRoot = write
  ? join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
  : mkdtempSync(join(tmpdir(), 'nxt-parser-fixtures-'));

const prefix = `nxt-${randomBytes(3).toString('hex')}`;
const createdNamespaces = [];

function run(argv, input) {
  return execFileSync(argv[0], argv.slice(1), { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
}

function inNs(ns, argv, input) {
  return run(['ip', 'netns', 'exec', ns, ...argv], input);
}

function addNamespace(role) {
  const name = `${prefix}-${role}`;
  run(['ip', 'netns', 'add', name]);
  createdNamespaces.push(name);
  inNs(name, ['ip', 'link', 'set', 'lo', 'up']);
  return name;
}

function saveFixture(relativePath, bytes) {
  const path = join(fixturesRoot, relativePath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}

// stdout and stderr into one file, in the order the tool wrote them: the nft tools print
// "# Warning: iptables-legacy tables present" on stderr, and a reader that merges streams sees it.
function saveFixtureWithStderr(relativePath, ns, argv) {
  const path = join(fixturesRoot, relativePath);
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    execFileSync('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  console.log(`wrote ${path} (with stderr)`);
}

function veth(nsA, devA, nsB, devB) {
  inNs(nsA, ['ip', 'link', 'add', 'name', devA, 'type', 'veth', 'peer', 'name', devB, 'netns', nsB]);
}

// IPv6 off where the test does not need it: router solicitations and MLD would add noise packets.
function quietIpv6(ns, dev) {
  inNs(ns, ['sysctl', '-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
}

function sendUdp(ns, script) {
  inNs(ns, ['bash', '-c', script]);
}

// One rule with each backend's binary; `bin` is iptables, ip6tables, iptables-legacy or ip6tables-legacy.
function rule(ns, bin, table, ...args) {
  inNs(ns, [bin, '-w', '-t', table, ...args]);
}

const ROUTER_ID = '5f1c8a2e-0d7b-4c1e-9a43-2b6e1f0c9d18';
const QG = 'qg-5a7c2e1f-3b';
const QR = 'qr-8c01d2e5-a9';
const EXT_LONG = 'ext-uplink-0015'; // 15 characters: IFNAMSIZ-1, leaves no space after the colon in /proc/net/dev

// Neutron L3 agent's chains (names as neutron/agent/linux/iptables_manager.py builds them, with
// binary_name "neutron-l3-agent"), plus the hostile comments and targets this parser must survive.
function neutronRouterRules(ns, backend) {
  const v4 = backend === 'nft' ? 'iptables' : 'iptables-legacy';
  const v6 = backend === 'nft' ? 'ip6tables' : 'ip6tables-legacy';
  for (const bin of [v4, v6]) {
    const nat = bin === v4;
    // raw
    rule(ns, bin, 'raw', '-N', 'neutron-l3-agent-PREROUTING');
    rule(ns, bin, 'raw', '-N', 'neutron-l3-agent-OUTPUT');
    rule(ns, bin, 'raw', '-A', 'PREROUTING', '-j', 'neutron-l3-agent-PREROUTING');
    rule(ns, bin, 'raw', '-A', 'OUTPUT', '-j', 'neutron-l3-agent-OUTPUT');
    rule(ns, bin, 'raw', '-A', 'neutron-l3-agent-PREROUTING', '-p', 'udp', '--dport', '33434:33523', '-j', 'CT', '--notrack');
    // mangle
    for (const c of ['neutron-l3-agent-PREROUTING', 'neutron-l3-agent-mark', 'neutron-l3-agent-scope', 'neutron-l3-agent-floatingip']) {
      rule(ns, bin, 'mangle', '-N', c);
    }
    rule(ns, bin, 'mangle', '-A', 'PREROUTING', '-j', 'neutron-l3-agent-PREROUTING');
    rule(ns, bin, 'mangle', '-A', 'neutron-l3-agent-PREROUTING', '-j', 'neutron-l3-agent-mark');
    rule(ns, bin, 'mangle', '-A', 'neutron-l3-agent-PREROUTING', '-j', 'neutron-l3-agent-scope');
    rule(
      ns,
      bin,
      'mangle',
      '-A',
      'neutron-l3-agent-PREROUTING',
      '-m',
      'connmark',
      '!',
      '--mark',
      '0x0/0xffff0000',
      '-j',
      'CONNMARK',
      '--restore-mark',
      '--nfmask',
      '0xffff0000',
      '--ctmask',
      '0xffff0000',
    );
    rule(ns, bin, 'mangle', '-A', 'neutron-l3-agent-PREROUTING', '-j', 'neutron-l3-agent-floatingip');
    rule(ns, bin, 'mangle', '-A', 'neutron-l3-agent-mark', '-i', QG, '-j', 'MARK', '--set-xmark', '0x2/0xffff');
    rule(ns, bin, 'mangle', '-A', 'neutron-l3-agent-scope', '-i', QR, '-j', 'MARK', '--set-xmark', '0x4000000/0xffff0000');
    rule(ns, bin, 'mangle', '-A', 'neutron-l3-agent-scope', '-i', QG, '-j', 'MARK', '--set-xmark', '0x4000000/0xffff0000');
    rule(
      ns,
      bin,
      'mangle',
      '-A',
      'POSTROUTING',
      '-o',
      QG,
      '-m',
      'connmark',
      '--mark',
      '0x0/0xffff0000',
      '-j',
      'CONNMARK',
      '--save-mark',
      '--nfmask',
      '0xffff0000',
      '--ctmask',
      '0xffff0000',
    );
    // nat
    for (const c of [
      'neutron-l3-agent-OUTPUT',
      'neutron-l3-agent-POSTROUTING',
      'neutron-l3-agent-PREROUTING',
      'neutron-l3-agent-float-snat',
      'neutron-l3-agent-snat',
      'neutron-postrouting-bottom',
    ]) {
      rule(ns, bin, 'nat', '-N', c);
    }
    rule(ns, bin, 'nat', '-A', 'PREROUTING', '-j', 'neutron-l3-agent-PREROUTING');
    rule(ns, bin, 'nat', '-A', 'OUTPUT', '-j', 'neutron-l3-agent-OUTPUT');
    rule(ns, bin, 'nat', '-A', 'POSTROUTING', '-j', 'neutron-l3-agent-POSTROUTING');
    rule(ns, bin, 'nat', '-A', 'POSTROUTING', '-j', 'neutron-postrouting-bottom');
    rule(
      ns,
      bin,
      'nat',
      '-A',
      'neutron-l3-agent-POSTROUTING',
      '!',
      '-i',
      QG,
      '!',
      '-o',
      QG,
      '-m',
      'conntrack',
      '!',
      '--ctstate',
      'DNAT',
      '-j',
      'ACCEPT',
    );
    rule(ns, bin, 'nat', '-A', 'neutron-l3-agent-snat', '-j', 'neutron-l3-agent-float-snat');
    rule(
      ns,
      bin,
      'nat',
      '-A',
      'neutron-postrouting-bottom',
      '-m',
      'comment',
      '--comment',
      'Perform source NAT on outgoing traffic.',
      '-j',
      'neutron-l3-agent-snat',
    );
    if (nat) {
      rule(
        ns,
        bin,
        'nat',
        '-A',
        'neutron-l3-agent-PREROUTING',
        '-d',
        '169.254.169.254/32',
        '-i',
        'qr-+',
        '-p',
        'tcp',
        '-m',
        'tcp',
        '--dport',
        '80',
        '-j',
        'REDIRECT',
        '--to-ports',
        '9697',
      );
      rule(ns, bin, 'nat', '-A', 'neutron-l3-agent-PREROUTING', '-d', '203.0.113.20/32', '-j', 'DNAT', '--to-destination', '10.0.0.5');
      rule(ns, bin, 'nat', '-A', 'neutron-l3-agent-OUTPUT', '-d', '203.0.113.20/32', '-j', 'DNAT', '--to-destination', '10.0.0.5');
      rule(
        ns,
        bin,
        'nat',
        '-A',
        'neutron-l3-agent-float-snat',
        '-s',
        '10.0.0.6/32',
        '-j',
        'SNAT',
        '--to-source',
        '203.0.113.20',
        '--random-fully',
      );
      rule(ns, bin, 'nat', '-A', 'neutron-l3-agent-snat', '-o', QG, '-j', 'SNAT', '--to-source', '203.0.113.10', '--random-fully');
      rule(
        ns,
        bin,
        'nat',
        '-A',
        'neutron-l3-agent-snat',
        '-m',
        'mark',
        '!',
        '--mark',
        '0x2/0xffff',
        '-m',
        'conntrack',
        '--ctstate',
        'DNAT',
        '-j',
        'SNAT',
        '--to-source',
        '203.0.113.10',
        '--random-fully',
      );
    } else {
      rule(ns, bin, 'nat', '-A', 'neutron-l3-agent-snat', '-o', QG, '-j', 'MASQUERADE');
    }
    // filter
    for (const c of [
      'neutron-filter-top',
      'neutron-l3-agent-FORWARD',
      'neutron-l3-agent-INPUT',
      'neutron-l3-agent-OUTPUT',
      'neutron-l3-agent-local',
      'neutron-l3-agent-scope',
      'tenant-allow',
    ]) {
      rule(ns, bin, 'filter', '-N', c);
    }
    rule(ns, bin, 'filter', '-A', 'INPUT', '-j', 'neutron-l3-agent-INPUT');
    rule(ns, bin, 'filter', '-A', 'FORWARD', '-j', 'neutron-filter-top');
    rule(ns, bin, 'filter', '-A', 'FORWARD', '-j', 'neutron-l3-agent-FORWARD');
    rule(ns, bin, 'filter', '-A', 'OUTPUT', '-j', 'neutron-filter-top');
    rule(ns, bin, 'filter', '-A', 'OUTPUT', '-j', 'neutron-l3-agent-OUTPUT');
    rule(ns, bin, 'filter', '-A', 'neutron-filter-top', '-j', 'neutron-l3-agent-local');
    rule(ns, bin, 'filter', '-A', 'neutron-l3-agent-FORWARD', '-j', 'neutron-l3-agent-scope');
    rule(ns, bin, 'filter', '-A', 'neutron-l3-agent-INPUT', '-m', 'mark', '--mark', '0x1/0xffff', '-j', 'ACCEPT');
    rule(ns, bin, 'filter', '-A', 'neutron-l3-agent-INPUT', '-p', 'tcp', '-m', 'tcp', '--dport', '9697', '-j', 'DROP');
    rule(
      ns,
      bin,
      'filter',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'udp',
      '-m',
      'udp',
      '--dport',
      '5000',
      '-m',
      'comment',
      '--comment',
      'allow "tenant" \\ traffic $(x) é -j DROP',
      '-j',
      'ACCEPT',
    );
    rule(
      ns,
      bin,
      'filter',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'udp',
      '-m',
      'udp',
      '--dport',
      '5001',
      '-m',
      'comment',
      '--comment',
      'drop \'em: back\\slash "q"',
      '-j',
      'DROP',
    );
    rule(
      ns,
      bin,
      'filter',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'tcp',
      '-m',
      'multiport',
      '--dports',
      '22,80,443',
      '-m',
      'comment',
      '--comment',
      '-j',
      '-j',
      'LOG',
      '--log-prefix',
      'nxt "in" ',
      '--log-level',
      '6',
    );
    rule(
      ns,
      bin,
      'filter',
      '-A',
      'neutron-l3-agent-INPUT',
      '!',
      '-s',
      nat ? '10.0.0.0/8' : 'fd00::/8',
      '-p',
      'udp',
      '-m',
      'udp',
      '--dport',
      '5002',
      '-m',
      'comment',
      '--comment',
      'first',
      '-m',
      'comment',
      '--comment',
      'second',
      '-g',
      'tenant-allow',
    );
    rule(
      ns,
      bin,
      'filter',
      '-A',
      'neutron-l3-agent-INPUT',
      '-p',
      'udp',
      '-m',
      'udp',
      '--dport',
      '5003',
      '-j',
      'REJECT',
      '--reject-with',
      nat ? 'icmp-port-unreachable' : 'icmp6-port-unreachable',
    );
    rule(ns, bin, 'filter', '-A', 'neutron-l3-agent-INPUT', '-p', 'udp', '-m', 'udp', '--dport', '5004');
    rule(ns, bin, 'filter', '-A', 'tenant-allow', '-m', 'comment', '--comment', 'tenant-allow: accept', '-j', 'ACCEPT');
    rule(ns, bin, 'filter', '-A', 'neutron-l3-agent-scope', '-o', QR, '-m', 'mark', '!', '--mark', '0x4000000/0xffff0000', '-j', 'DROP');
    rule(ns, bin, 'filter', '-P', 'FORWARD', 'DROP');
    rule(ns, bin, 'filter', '-A', 'FORWARD', '-i', QR, '-j', 'ACCEPT');
    rule(ns, bin, 'filter', '-A', 'FORWARD', '-i', QG, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');
  }
}

// 5,000 rules in one user chain, loaded with iptables-restore as a big Neutron node would hold them.
function fiveThousandRuleRestoreInput() {
  const targets = ['ACCEPT', 'DROP', 'RETURN', 'neutron-l3-agent-bulk-log'];
  const lines = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':neutron-l3-agent-bulk - [0:0]',
    ':neutron-l3-agent-bulk-log - [0:0]',
    '-A INPUT -j neutron-l3-agent-bulk',
    '-A neutron-l3-agent-bulk-log -j LOG --log-prefix "bulk "',
  ];
  for (let i = 1; i <= 5000; i++) {
    const source = `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`;
    const jump = i % 50 === 0 ? '-g neutron-l3-agent-bulk-log' : `-j ${targets[i % 3]}`;
    lines.push(
      `-A neutron-l3-agent-bulk -s ${source} -p udp -m udp --dport ${1024 + i} -m comment --comment "bulk rule ${i} \\"q\\"" ${jump}`,
    );
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

try {
  // Three namespaces as a Neutron network node has them: the external network, the router, a tenant.
  const ext = addNamespace('ext');
  const router = addNamespace(`qrouter-${ROUTER_ID}`);
  const tenant = addNamespace('tenant');
  veth(ext, EXT_LONG, router, QG);
  veth(router, QR, tenant, 'tap0');
  quietIpv6(ext, EXT_LONG);
  quietIpv6(router, QG);
  inNs(ext, ['ip', 'addr', 'add', '203.0.113.1/24', 'dev', EXT_LONG]);
  inNs(router, ['ip', 'addr', 'add', '203.0.113.10/24', 'dev', QG]);
  inNs(router, ['ip', 'addr', 'add', '10.0.0.1/24', 'dev', QR]);
  inNs(router, ['ip', 'addr', 'add', 'fd00:10::1/64', 'dev', QR, 'nodad']);
  inNs(tenant, ['ip', 'addr', 'add', '10.0.0.5/24', 'dev', 'tap0']);
  inNs(tenant, ['ip', 'addr', 'add', 'fd00:10::5/64', 'dev', 'tap0', 'nodad']);
  for (const [ns, dev] of [
    [ext, EXT_LONG],
    [router, QG],
    [router, QR],
    [tenant, 'tap0'],
  ]) {
    inNs(ns, ['ip', 'link', 'set', dev, 'up']);
  }
  inNs(router, ['ip', 'link', 'set', QR, 'mtu', '1450']);
  inNs(tenant, ['ip', 'route', 'add', 'default', 'via', '10.0.0.1']);
  inNs(router, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);

  // Both backends in the router, as during a migration: the nft tools warn that legacy tables exist.
  neutronRouterRules(router, 'nft');
  neutronRouterRules(router, 'legacy');

  // Known traffic: 3 datagrams to the commented ACCEPT (udp/5000), 4 to the commented DROP (udp/5001),
  // 2 to the goto rule (udp/5002), 1 to REJECT (udp/5003), 5 to the target-less rule (udp/5004),
  // then 12 MB each way to a closed port so the 15-character interface's counters get 8+ digits.
  sendUdp(ext, 'for i in 1 2 3; do printf hello > /dev/udp/203.0.113.10/5000; done');
  sendUdp(ext, 'for i in 1 2 3 4; do printf dropped > /dev/udp/203.0.113.10/5001; done');
  sendUdp(ext, 'for i in 1 2; do printf go > /dev/udp/203.0.113.10/5002; done');
  sendUdp(ext, 'printf reject > /dev/udp/203.0.113.10/5003');
  sendUdp(ext, 'for i in 1 2 3 4 5; do printf none > /dev/udp/203.0.113.10/5004; done');
  sendUdp(tenant, 'for i in 1 2 3; do printf v6hello > /dev/udp/fd00:10::1/5000; done');
  sendUdp(tenant, 'for i in 1 2; do printf v6drop > /dev/udp/fd00:10::1/5001; done');
  sendUdp(tenant, 'for i in 1 2 3 4 5 6; do printf out > /dev/udp/203.0.113.1/7; done');
  sendUdp(ext, 'head -c 12000000 /dev/zero > /dev/udp/203.0.113.10/9');
  sendUdp(router, 'head -c 12000000 /dev/zero > /dev/udp/203.0.113.1/9');
  run(['sleep', '1']);

  saveFixture('proc-net-dev/neutron-router.txt', inNs(router, ['cat', '/proc/net/dev']));
  saveFixture('proc-net-dev/long-name-big-counters.txt', inNs(ext, ['cat', '/proc/net/dev']));
  saveFixture('ip-link/neutron-router.json', inNs(router, ['ip', '-j', 'link', 'show']));
  saveFixture('ip-link/neutron-router-stats.json', inNs(router, ['ip', '-j', '-s', 'link', 'show']));
  saveFixture('iptables-save/nft-neutron-router-ipv4.txt', inNs(router, ['iptables-save', '-c']));
  saveFixture('iptables-save/nft-neutron-router-ipv6.txt', inNs(router, ['ip6tables-save', '-c']));
  saveFixture('iptables-save/legacy-neutron-router-ipv4.txt', inNs(router, ['iptables-legacy-save', '-c']));
  saveFixture('iptables-save/legacy-neutron-router-ipv6.txt', inNs(router, ['ip6tables-legacy-save', '-c']));
  // Merged into one file descriptor, stdout (block-buffered, 4 KiB) and the stderr warning interleave
  // mid-line once the output passes 4 KiB: a reader must keep the streams apart. Kept as a broken input.
  saveFixtureWithStderr('iptables-save/broken-stderr-merged-midline.txt', router, ['iptables-save', '-c']);
  console.log(
    'conntrack count in router:',
    inNs(router, ['cat', '/proc/sys/net/netfilter/nf_conntrack_count']).toString().trim(),
    'max:',
    inNs(router, ['cat', '/proc/sys/net/netfilter/nf_conntrack_max']).toString().trim(),
  );

  // A namespace just created: only lo, no tables; the save tools print nothing at all.
  const fresh = addNamespace('fresh');
  saveFixture('proc-net-dev/fresh-netns.txt', inNs(fresh, ['cat', '/proc/net/dev']));
  saveFixture('ip-link/fresh-netns.json', inNs(fresh, ['ip', '-j', 'link', 'show']));
  saveFixture('iptables-save/fresh-netns-ipv4.txt', inNs(fresh, ['iptables-save', '-c']));

  // Both backends, output under 4 KiB: stdout is flushed at exit, after the stderr warning, so the
  // warning lands on a line of its own before the tables.
  const both = addNamespace('both');
  rule(both, 'iptables', 'filter', '-A', 'INPUT', '-m', 'comment', '--comment', 'nft side', '-j', 'ACCEPT');
  rule(both, 'iptables-legacy', 'filter', '-A', 'INPUT', '-m', 'comment', '--comment', 'legacy side', '-j', 'ACCEPT');
  sendUdp(both, 'for i in 1 2; do printf both > /dev/udp/127.0.0.1/9; done');
  saveFixtureWithStderr('iptables-save/nft-legacy-warning-merged.txt', both, ['iptables-save', '-c']);

  // Hostile names. This kernel has no dummy driver, so standalone bridges stand in for dummies.
  const odd = addNamespace('odd');
  const oddNames = ['q"uote', 'd$(x)', 'back\\sl', 'é-ü-名', "'single'", 'a*b?', '-j', 'x;y|z', '#hash', 'a\u0001b', 'abcdefghijklmno'];
  for (const name of oddNames) inNs(odd, ['ip', 'link', 'add', 'name', name, 'type', 'bridge']);
  for (const name of ['q"uote', 'é-ü-名', 'abcdefghijklmno']) inNs(odd, ['ip', 'link', 'set', name, 'up']);
  inNs(odd, ['ip', 'tuntap', 'add', 'mode', 'tun', 'name', 'tun0']);
  inNs(odd, ['ip', 'link', 'set', 'abcdefghijklmno', 'mtu', '9000']);
  for (const chain of ['"q', 'x"y', 'd$(x)', 'é-ü', 'back\\sl']) {
    rule(odd, 'iptables', 'filter', '-N', chain);
    rule(odd, 'iptables', 'filter', '-A', chain, '-j', 'ACCEPT');
    rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-j', chain);
  }
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-i', 'q"uote', '-m', 'comment', '--comment', 'after a raw quote', '-j', 'ACCEPT');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-i', '-j', '-j', 'DROP');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-m', 'comment', '--comment', 'line1\nline2\ttab "q" -j X', '-j', 'ACCEPT');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-m', 'comment', '--comment', '', '-j', 'RETURN');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-m', 'recent', '--name', '-j', '--rcheck', '-j', 'DROP');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-m', 'helper', '--helper', '-g', '-g', 'x"y');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-m', 'string', '--string', 'a -j b', '--algo', 'bm', '-j', 'LOG', '--log-prefix', '-j');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-m', 'comment', '--comment', 'ctl\u0001 and \u00e9\u{1F600}', '-j', 'ACCEPT');
  rule(odd, 'iptables', 'filter', '-A', 'INPUT', '-j', '"q');
  saveFixture('proc-net-dev/hostile-names.txt', inNs(odd, ['cat', '/proc/net/dev']));
  saveFixture('ip-link/hostile-names.json', inNs(odd, ['ip', '-j', 'link', 'show']));
  saveFixture('iptables-save/nft-hostile-names.txt', inNs(odd, ['iptables-save', '-c']));

  // Tables iptables-nft cannot show: a base chain of its own, then a rule it cannot translate.
  const alien = addNamespace('alien');
  rule(alien, 'iptables', 'filter', '-A', 'INPUT', '-j', 'ACCEPT');
  rule(alien, 'iptables', 'nat', '-A', 'POSTROUTING', '-j', 'MASQUERADE');
  inNs(alien, ['nft', 'add', 'chain', 'ip', 'filter', 'weird', '{ type filter hook input priority 5 ; }']);
  saveFixture('iptables-save/nft-incompatible-base-chain.txt', inNs(alien, ['iptables-save', '-c']));
  inNs(alien, ['nft', 'add', 'rule', 'ip', 'filter', 'INPUT', 'tcp', 'dport', '1-100', 'ct', 'mark', 'set', '5']);
  saveFixture('iptables-save/nft-incompatible-table.txt', inNs(alien, ['iptables-save', '-c']));

  // 5,000 rules in one chain, loaded with iptables-restore; a few packets move a few counters.
  const bulk = addNamespace('bulk');
  inNs(bulk, ['iptables-restore', '-w'], fiveThousandRuleRestoreInput());
  inNs(bulk, ['ip', 'addr', 'add', '10.0.1.1/32', 'dev', 'lo']);
  sendUdp(bulk, 'for i in 1 2 3; do printf x > /dev/udp/10.0.1.1/1025; done');
  saveFixture('iptables-save/nft-5000-rule-chain.txt', inNs(bulk, ['iptables-save', '-c']));
} finally {
  for (const ns of createdNamespaces.reverse()) {
    try {
      run(['ip', 'netns', 'delete', ns]);
    } catch (error) {
      console.error(`could not delete namespace ${ns}: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
console.log(`fixtures in ${fixturesRoot}`);
