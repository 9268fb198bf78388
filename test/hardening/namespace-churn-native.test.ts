// Namespace churn against the native backend (setns on the addon's threads): a scrape takes
// milliseconds, so it runs 1,000 scrapes (about 10 s on an idle two-core machine) and compares
// resources between scrapes 500-700 and the last 200, once V8's heap has mostly settled
// (measured: RSS 71 -> 104 MiB over the first 500 scrapes, +7 MiB over the next 500, then flat).
import { loadNativeAddon } from '../../src/readers/native/load-addon.js';
import { describeChurn } from './churn-scenario.js';

const addon = loadNativeAddon();
if (!addon.ok) throw new Error(`the native addon must be built for this test (npm ci builds it): ${addon.reason}`);

describeChurn({ backend: 'native', scrapes: 1000, warmUp: 500, window: 200, expectRaces: false, timeoutMs: 240_000 });
