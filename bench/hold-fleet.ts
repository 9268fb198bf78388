// Builds N bench routers and keeps them until SIGINT/SIGTERM, for profiling by hand (perf, strace, an
// exporter started with --netns.include=<regex>). Prints the prefix and the include regex on stdout,
// then `ready`; everything it made is deleted when it is stopped.
//
//   npm run build && BENCH=hold-fleet bench/run.sh 1000 &   # then: kill -INT <pid>

import { createRouterFleet } from './router-fixture.js';

const count = Number(process.argv[2] ?? 1000);
const fleet = await createRouterFleet();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    fleet.destroy();
    process.exit(0);
  });
}
try {
  for (const step of [100, 500, 1000, 2000, 4000].filter((n) => n < count).concat(count)) await fleet.grow(step);
} catch (error) {
  fleet.destroy();
  throw error;
}
process.stdout.write(`prefix ${fleet.prefix}\ninclude ${fleet.includeRegex}\nready ${fleet.size}\n`);
setInterval(() => undefined, 1 << 30); // a pending timer keeps the process, and so the fleet, alive until killed
