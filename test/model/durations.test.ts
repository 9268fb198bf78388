import { expect, test } from 'vitest';
import { parseDurationMs } from '../../src/model/durations.js';
import { parseListenAddress } from '../../src/model/listen-address.js';

test.each([
  ['10s', 10_000],
  ['500ms', 500],
  ['1m30s', 90_000],
  ['2h', 7_200_000],
  ['1m', 60_000],
])('duration %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

test.each(['', '10', 's', '-1s', '0s', '1.5s', '10 s', '1d'])('not a duration: %j', (text) =>
  expect(parseDurationMs(text)).toBeUndefined(),
);

test.each([
  [':9724', { host: undefined, port: 9724 }],
  ['127.0.0.1:9724', { host: '127.0.0.1', port: 9724 }],
  ['[::1]:0', { host: '::1', port: 0 }],
  ['localhost:80', { host: 'localhost', port: 80 }],
])('listen address %s', (text, expected) => expect(parseListenAddress(text)).toEqual(expected));

test.each(['9724', ':99999', 'host:', '::1:80', ':port'])('bad listen address %j', (text) =>
  expect(parseListenAddress(text)).toBeUndefined(),
);
