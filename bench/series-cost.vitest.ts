// Runs bench/series-cost.ts (as root): npx vitest run --config bench/series-cost.vitest.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['bench/series-cost.ts'], testTimeout: 900_000, hookTimeout: 600_000 } });
