import { describe, expect, test } from 'vitest';
import { enterFailure, sectionToReading } from '../../../src/readers/exec/classify-failure.js';
import { iptablesLegacyIpv6Source } from '../../../src/sources/iptables-legacy.js';
import { iptablesNftIpv4Source } from '../../../src/sources/iptables-nft.js';
import { linksSource } from '../../../src/sources/links.js';
import { netDevSource } from '../../../src/sources/net-dev.js';

const section = (status: string, stderr = '', data = '') => ({ data: Buffer.from(data), stderr, status });

describe('sectionToReading', () => {
  test('status 0 is the data, to be parsed as the exec backend declares', () => {
    expect(sectionToReading(linksSource, section('0', '', '[]'), 1000, 3)).toEqual({
      ok: true,
      data: Buffer.from('[]'),
      declaration: linksSource.exec,
      key: 3,
    });
    expect(sectionToReading(netDevSource, section('0'), 1000, 0)).toMatchObject({ ok: true, declaration: netDevSource.exec });
    expect(sectionToReading(iptablesLegacyIpv6Source, section('0'), 1000, 0)).toMatchObject({
      ok: true,
      declaration: iptablesLegacyIpv6Source.exec,
    });
  });

  const failures = [
    { status: 'absent', stderr: '', kind: 'not-present', detail: /nothing to read/ },
    { status: 'unknown', stderr: '', kind: 'tool-failed', detail: /not understood by the read script/ },
    { status: '137', stderr: '', kind: 'timeout', detail: /^iptables-nft-save -c killed after 500 ms$/ },
    // The message coreutils timeout prints when the tool is missing (captured on Debian 12).
    {
      status: '127',
      stderr: "timeout: failed to run command 'iptables-nft-save': No such file or directory",
      kind: 'tool-failed',
      detail: /not found or not executable: timeout: failed to run command/,
    },
    { status: '139', stderr: '', kind: 'tool-failed', detail: /killed by signal 11/ },
    {
      status: '1',
      stderr: '\n  first line  \nsecond line',
      kind: 'tool-failed',
      detail: /^iptables-nft-save -c exited with status 1: first line$/,
    },
  ] as const;
  for (const f of failures) {
    test(`status ${f.status} is ${f.kind}`, () => {
      const reading = sectionToReading(iptablesNftIpv4Source, section(f.status, f.stderr), 500, 0);
      expect(reading.ok).toBe(false);
      if (reading.ok) return;
      expect(reading.error.kind).toBe(f.kind);
      expect(reading.error.detail).toMatch(f.detail);
    });
  }

  test('a flood of stderr is cut to one bounded line', () => {
    const reading = sectionToReading(linksSource, section('2', `${'e'.repeat(10_000)}\nmore`), 500, 0);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.error.detail.length).toBeLessThan(300);
  });
});

describe('enterFailure', () => {
  // nsenter's messages as printed on this machine (util-linux 2.38, LC_ALL=C).
  const cases = [
    { stderr: 'nsenter: cannot open /run/netns/gone: No such file or directory\n', kind: 'vanished' },
    { stderr: "nsenter: reassociate to namespace 'ns/net' failed: Invalid argument\n", kind: 'vanished' },
    { stderr: "nsenter: reassociate to namespace 'ns/net' failed: Operation not permitted\n", kind: 'enter-denied' },
    { stderr: 'nsenter: cannot open /proc/1/ns/net: Permission denied\n', kind: 'enter-denied' },
    { stderr: 'nsenter: failed to execute /bin/sh: Exec format error\n', kind: 'tool-failed' },
  ] as const;
  for (const c of cases) {
    test(c.stderr.trim(), () => {
      expect(enterFailure(c.stderr, 'exit status 1')).toEqual({ kind: c.kind, detail: c.stderr.trim() });
    });
  }
  test('no stderr: the exit says what happened', () => {
    expect(enterFailure('', 'killed by SIGSEGV')).toEqual({ kind: 'tool-failed', detail: 'killed by SIGSEGV' });
  });
});
