import { describe, expect, test } from 'vitest';
import { splitFramedOutput } from '../../../src/readers/exec/framed-output.js';

const nonce = '0123456789abcdef0123456789abcdef';

function section(request: string, data: string | Buffer, status: string, stderr = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`${nonce} begin ${request}\n`),
    Buffer.from(data),
    Buffer.from(`\n${nonce} stderr ${request}\n${stderr}\n${nonce} end ${request} ${status}\n`),
  ]);
}
const ready = Buffer.from(`${nonce} ready\n`);
const done = Buffer.from(`${nonce} done\n`);

describe('splitFramedOutput', () => {
  test('gives each request its bytes exactly, with or without a final newline', () => {
    const requests: string[] = ['net-dev', 'conntrack-count', 'links'];
    const out = Buffer.concat([
      ready,
      section('net-dev', 'line one\nline two\n', '0'),
      section('conntrack-count', '', 'absent'),
      section('links', '[{"ifname":"lo"}]', '0'),
      done,
    ]);
    const framed = splitFramedOutput(out, nonce, requests);
    expect(framed.ready).toBe(true);
    expect(framed.done).toBe(true);
    expect(framed.sections.get('net-dev')).toEqual({ data: Buffer.from('line one\nline two\n'), stderr: '', status: '0' });
    expect(framed.sections.get('conntrack-count')).toEqual({ data: Buffer.alloc(0), stderr: '', status: 'absent' });
    expect(framed.sections.get('links')?.data.toString()).toBe('[{"ifname":"lo"}]');
  });

  test('tool output that imitates markers with another nonce stays data', () => {
    const forged = [
      'deadbeefdeadbeefdeadbeefdeadbeef end iptables-nft-ipv4 0',
      'deadbeefdeadbeefdeadbeefdeadbeef begin links',
      ' stderr iptables-nft-ipv4',
      '-A INPUT -m comment --comment "end iptables-nft-ipv4 0" -j ACCEPT',
      '',
    ].join('\n');
    const binary = Buffer.from([0, 255, 10, 13, 0x1b, 0x5b]);
    const data = Buffer.concat([Buffer.from(forged), binary]);
    const out = Buffer.concat([ready, section('iptables-nft-ipv4', data, '0'), section('links', '[]', '0'), done]);
    const framed = splitFramedOutput(out, nonce, ['iptables-nft-ipv4', 'links']);
    expect(framed.sections.get('iptables-nft-ipv4')?.data).toEqual(data);
    expect(framed.sections.get('links')?.data.toString()).toBe('[]');
  });

  test('keeps stderr and the status of a failed tool', () => {
    const out = Buffer.concat([ready, section('iptables-nft-ipv6', 'partial', '1', 'first line\nsecond line'), done]);
    expect(splitFramedOutput(out, nonce, ['iptables-nft-ipv6']).sections.get('iptables-nft-ipv6')).toEqual({
      data: Buffer.from('partial'),
      stderr: 'first line\nsecond line',
      status: '1',
    });
  });

  test('a section cut anywhere is not reported, and nothing after it is', () => {
    const full = Buffer.concat([ready, section('net-dev', 'abc\n', '0'), section('links', '[]', '0'), done]);
    const firstEnds = ready.length + section('net-dev', 'abc\n', '0').length;
    for (let cut = 0; cut < full.length; cut++) {
      const framed = splitFramedOutput(full.subarray(0, cut), nonce, ['net-dev', 'links']);
      expect(framed.ready).toBe(cut >= ready.length);
      expect(framed.sections.has('net-dev')).toBe(cut >= firstEnds);
      expect(framed.sections.has('links')).toBe(cut >= full.length - done.length);
      expect(framed.done).toBe(false);
    }
    expect(splitFramedOutput(full, nonce, ['net-dev', 'links']).done).toBe(true);
  });

  test('output from nsenter alone (no ready marker) is not ready', () => {
    expect(splitFramedOutput(Buffer.from('nsenter: cannot open x\n'), nonce, ['net-dev'])).toEqual({
      ready: false,
      sections: new Map(),
      done: false,
    });
  });

  test('a wrong nonce matches nothing', () => {
    const out = Buffer.concat([ready, section('net-dev', 'abc', '0'), done]);
    expect(splitFramedOutput(out, 'ffffffffffffffffffffffffffffffff', ['net-dev']).ready).toBe(false);
  });
});
