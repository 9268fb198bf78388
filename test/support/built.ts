// Tests that run the real binary use the compiled output; `npm test` builds it first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const builtMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

if (!existsSync(builtMain)) {
  throw new Error(`${builtMain} is missing: run \`npm run build\` (npm test does) before these tests`);
}
