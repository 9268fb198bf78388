#!/bin/sh
# Compiles the bench scripts (only bench/; the exporter itself runs from dist/, so `npm run build`
# first) under node_modules/.cache so they resolve the project's packages, then runs one of them.
#
#   npm run build && bench/run.sh                      # scrape bench, defaults (about 20 minutes)
#   bench/run.sh --sizes=100 --exec-sizes=100          # quick look
#   BENCH=stage-costs bench/run.sh 1000               # CPU per stage of a scrape, in one process
#   BENCH=native-micro bench/run.sh 500                # the native reader against nsenter
#   BENCH=speed-targets bench/run.sh                  # the speed targets (docs/performance.md); exit 1 when one is missed
set -eu
cd "$(dirname "$0")/.."
out=node_modules/.cache/bench
script=${BENCH:-scrape-bench}
npx tsc --target ES2022 --lib ES2023 --module NodeNext --moduleResolution NodeNext --strict --noUncheckedIndexedAccess \
  --skipLibCheck --types node --rootDir . --outDir "$out" "bench/$script.ts" bench/healthz-probe.ts
exec node "$out/bench/$script.js" "$@"
