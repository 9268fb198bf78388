// Namespace churn against the native backend (setns on the addon's threads): a scrape takes
// milliseconds, so it runs 2,000 scrapes and compares resources only after the first 1,000, once
// V8's heap has settled (measured: RSS grows for ~1,500 scrapes, then stays within a few MiB).
import { loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { describeChurn } from './churn-scenario.js';

const addon = loadNativeAddon();
if (!addon.ok) throw new Error(`the native addon must be built for this test (npm ci builds it): ${addon.reason}`);

describeChurn({ backend: 'native', scrapes: 2000, warmUp: 1000, window: 250, expectRaces: false, timeoutMs: 120_000 });
