// The rules of collector declarations that the registry and the flags rely on: a flag shared by
// listing one declaration is one flag, two declarations of one name are a bug, a collector reads only
// the flags it declares, and the registered collectors keep their options apart. No root needed.

import { describe, expect, test } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { defineCollector } from '../../src/collectors/collector.js';
import { flagValue, regexFlag, switchFlag } from '../../src/collectors/flag.js';
import { DEVICE_FLAGS } from '../../src/collectors/interfaces.js';
import { collectorFlags, COLLECTORS } from '../../src/collectors/registry.js';
import { family } from '../../src/model/snapshot.js';
import { NOTHING_OWN } from '../support/collector-runs.js';

const probeFamily = family('netns_probe_total', 'counter', 'A test family.', ['netns']);
const probe = (name: string, flags: Parameters<typeof defineCollector>[0]['flags'], read = false) =>
  defineCollector({
    name,
    description: 'a test collector',
    defaultEnabled: false,
    flags,
    options: (flag) => (read ? flag(switchFlag({ name: 'probe.undeclared', help: 'h', negatedHelp: 'n', default: true })) : undefined),
    families: [probeFamily],
    sources: () => [],
    collect: () => undefined,
  });

describe('the registry', () => {
  test('--device.include and --device.exclude, listed by four collectors, are two flags', () => {
    const names = collectorFlags(COLLECTORS).map((flag) => flag.name);
    expect(names.filter((name) => name.startsWith('device.'))).toEqual(['device.include', 'device.exclude']);
    expect(COLLECTORS.filter((collector) => collector.flags.includes(DEVICE_FLAGS[0])).map((c) => c.name)).toEqual([
      'interfaces',
      'carrier_changes',
      'neighbor',
      'tc',
    ]);
  });

  test('two declarations of one flag name are refused', () => {
    const one = probe('one', [regexFlag('probe.include', 'a')]);
    const other = probe('other', [regexFlag('probe.include', 'b')]);
    expect(() => collectorFlags([one, other])).toThrow('--probe.include is declared twice (collector other)');
  });

  test("a flag may not take a collector's switch", () => {
    expect(() =>
      collectorFlags([probe('one', []), probe('two', [switchFlag({ name: 'collector.one', help: 'h', negatedHelp: 'n', default: true })])]),
    ).toThrow('--collector.one is the switch of a collector');
  });

  test('two collectors of one name are refused at start', () => {
    expect(() => parseFlags([], '0.0.0-test', [...COLLECTORS, probe('netstat', [])])).toThrow('collector netstat is registered twice');
  });
});

describe('a declaration', () => {
  test('names are checked when declared', () => {
    expect(() => probe('Bad-Name', [])).toThrow(/collector name "Bad-Name"/);
    expect(() => regexFlag('nodots', 'h')).toThrow(/flag name "nodots"/);
  });

  test('reading a flag it does not declare is a bug, caught at start', () => {
    expect(() => probe('reader', [], true).configure(new Map(), NOTHING_OWN)).toThrow(
      'collector reader reads --probe.undeclared, which it does not declare',
    );
  });

  test('a value not given is the declared default; a switch given off is off', () => {
    const rules = switchFlag({ name: 'probe.rules', help: 'h', negatedHelp: 'n', default: true });
    expect(flagValue(rules, new Map())).toBe(true);
    expect(flagValue(rules, new Map([['probe.rules', false]]))).toBe(false);
    expect(flagValue(regexFlag('probe.include', 'h'), new Map())).toBeUndefined();
  });
});
