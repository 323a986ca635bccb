#!/usr/bin/env bash
# Lighthouse on the residents' dashboard (issue #6 budgets): installs Lighthouse from npm
# into ~/.cache/linli-tools/lighthouse if missing (no browser download: Debian's Chromium),
# builds the dashboard and the CLI if needed, publishes the demo community and runs
# Lighthouse's mobile defaults three times (median run reported).
# Usage: bash scripts/lighthouse.sh     (RUNS=N to change the number of runs)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh build
LH="$HOME/.cache/linli-tools/lighthouse"
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$LH"
  [ -f "$LH/package.json" ] || echo '{"private":true}' > "$LH/package.json"
  (cd "$LH" && npm install --no-audit --no-fund lighthouse@13.5.0)
fi
[ -f dist/site/index.html ] || trunk build dashboard/index.html --release --dist dist/site
cargo build --release -p linli-cli
linli="${CARGO_TARGET_DIR:-target}/release/linli"
mkdir -p target
"$linli" demo --seed 2026 --created-at 1795492800000 --out target/lighthouse-demo.json
rm -rf target/lighthouse-site
"$linli" publish target/lighthouse-demo.json --out target/lighthouse-site --site dist/site --at 1795492800000 >/dev/null
node scripts/lighthouse.mjs target/lighthouse-site
