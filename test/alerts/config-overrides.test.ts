// applyOverrides: a thresholds document replaces exactly the fields it names, and anything it cannot
// mean is refused with the key's path.
import { expect, test } from 'vitest';
import { alertConfig } from '../../src/alerting/config.js';
import { AlertConfigError, applyOverrides } from '../../src/alerting/config-overrides.js';

test('named fields change, the rest stays the shipped defaults', () => {
  const config = applyOverrides(alertConfig, { clusterLabel: 'region', hostRollup: { minRouters: 5 }, gatewayDown: { for: '2m' } });
  expect(config.clusterLabel).toBe('region');
  expect(config.hostRollup).toEqual({ ...alertConfig.hostRollup, minRouters: 5 });
  expect(config.gatewayDown).toEqual({ ...alertConfig.gatewayDown, for: '2m' });
  expect(config.conntrack).toBe(alertConfig.conntrack);
  expect(applyOverrides(alertConfig, null)).toBe(alertConfig);
});

const refused: [string, unknown, RegExp][] = [
  ['unknown top-level key', { selectr: 'job="x"' }, /^selectr: unknown key/],
  [
    'unknown nested key',
    { conntrack: { warning: 0.5 } },
    /^conntrack\.warning: unknown key \(known here: warningRatio, criticalRatio, for\)/,
  ],
  ['string for a number', { conntrack: { warningRatio: '0.5' } }, /^conntrack\.warningRatio: expected a number, got a string/],
  ['share above 1', { conntrack: { criticalRatio: 90 } }, /^conntrack\.criticalRatio: expected a share between 0 and 1/],
  ['fractional count', { hostRollup: { minRouters: 2.5 } }, /^hostRollup\.minRouters: expected a whole number/],
  ['scalar for a section', { hostRollup: 3 }, /^hostRollup: expected a mapping, got a number/],
  ['bad duration', { rateWindow: '5 min' }, /^rateWindow: "5 min" is not a Prometheus duration/],
  ['bad severity', { haSplitBrain: { severity: 'page' } }, /^haSplitBrain\.severity: expected warning or critical/],
  ['bad label name', { clusterLabel: 'k8s-cluster' }, /^clusterLabel: "k8s-cluster" is not a label name/],
  ['a list', [1, 2], /^expected a mapping of configuration keys, got a list/],
];
for (const [name, overrides, message] of refused) {
  test(`refuses ${name}`, () => {
    expect(() => applyOverrides(alertConfig, overrides)).toThrow(AlertConfigError);
    expect(() => applyOverrides(alertConfig, overrides)).toThrow(message);
  });
}
