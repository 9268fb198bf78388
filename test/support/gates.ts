// Explicit feature gates for tests that need something the machine may lack (root, the built addon,
// a tool). A gate that closes says so loudly at collection time; with NETNS_EXPORTER_REQUIRE_ROOT_TESTS
// set (CI, .ci/run) nothing may be skipped, so a closed gate fails the file instead.
//
//   describe.skipIf(skipUnless(isRoot, 'native reader on real namespaces', 'entering namespaces needs root'))(...)

import { loadNativeAddon, type NetnsReaderAddon } from '../../src/readers/native/load-addon.js';

/** CI: every test must run; a missing prerequisite is a failure, not a skip. */
export const requireEveryTest = Boolean(process.env.NETNS_EXPORTER_REQUIRE_ROOT_TESTS);

export const isRoot: boolean = process.getuid?.() === 0;

/**
 * For `describe.skipIf(...)`/`test.skipIf(...)`: false (run) when `available`; otherwise prints a
 * banner naming what did not run and why, and returns true (skip) — or throws when every test must run.
 */
export function skipUnless(available: boolean, what: string, why: string): boolean {
  if (available) return false;
  if (requireEveryTest) {
    throw new Error(`${what} cannot run: ${why}. NETNS_EXPORTER_REQUIRE_ROOT_TESTS is set, so nothing may be skipped.`);
  }
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPED: ${what}: ${why}. These tests did NOT run (CI runs them).\n!!!!!!!!!!\n`);
  return true;
}

/** The built native addon, or why there is none (`npm ci` builds it; `node native/build-addon.mjs` rebuilds it). */
export function builtAddon(): { readonly addon?: NetnsReaderAddon; readonly reason: string } {
  const load = loadNativeAddon();
  return load.ok
    ? { addon: load.addon, reason: '' }
    : { reason: `native addon not built (run \`node native/build-addon.mjs\`): ${load.reason}` };
}
